#include <catch2/catch.hpp>

#include <cstdio>  // jpeglib.h needs FILE and size_t declared first
#include <cstdlib>
#include <vector>

#include <jpeglib.h>

#include "fixtures.h"
#include "image/image.h"
#include "image/jpeg_scaled.h"
#include "image/preprocess.h"
#include "util/error.h"

using whatcar::decode_image;
using whatcar::decode_jpeg_scaled;
using whatcar::Image;
using whatcar::jpeg_scale_denominator;
using whatcar::test::fixture;
using whatcar::test::mean_abs_diff;
using whatcar::test::read_bytes;

namespace {

// A CMYK JPEG (Photoshop's kind), which libjpeg cannot turn into RGB.
std::vector<uint8_t> cmyk_jpeg(int width, int height) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &out, &size);
  c.image_width = width;
  c.image_height = height;
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_start_compress(&c, TRUE);
  std::vector<uint8_t> row(static_cast<size_t>(width) * 4, 100);
  while (c.next_scanline < c.image_height) {
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::vector<uint8_t> bytes(out, out + size);
  std::free(out);
  return bytes;
}

std::string outcome(const std::vector<uint8_t>& bytes, int min_short_side) {
  try {
    const Image img = decode_image(bytes, "x.jpg", whatcar::kDefaultMaxPixels, min_short_side);
    return std::to_string(img.width) + "x" + std::to_string(img.height) + " scale " + std::to_string(img.scale);
  } catch (const whatcar::InputError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("the scale keeps both sides at least the minimum", "[jpeg]") {
  CHECK(jpeg_scale_denominator(4000, 3000, 448) == 4);  // 1000x750
  CHECK(jpeg_scale_denominator(3000, 4000, 448) == 4);
  CHECK(jpeg_scale_denominator(4000, 3000, 224) == 8);  // 500x375; 1/8 is libjpeg's smallest
  CHECK(jpeg_scale_denominator(4000, 3000, 100) == 8);
  CHECK(jpeg_scale_denominator(895, 1000, 448) == 1);   // 447 at 1/2 would be too small
  CHECK(jpeg_scale_denominator(896, 1000, 448) == 2);
  CHECK(jpeg_scale_denominator(524, 256, 448) == 1);    // the shared photos: never scaled
  CHECK(jpeg_scale_denominator(4000, 3000, 0) == 1);    // 0: full size
}

TEST_CASE("a scaled decode is the same picture, smaller", "[jpeg]") {
  for (const char* name : {"scene.jpg", "scene_progressive.jpg"}) {
    INFO(name);
    const std::vector<uint8_t> bytes = read_bytes(std::string("images/") + name);
    const Image full = decode_image(bytes, name);
    REQUIRE(full.scale == 1);
    for (int denominator : {2, 4, 8}) {
      INFO("1/" << denominator);
      const auto scaled = decode_jpeg_scaled(bytes.data(), bytes.size(), denominator);
      REQUIRE(scaled);
      CHECK(scaled->scale == denominator);
      CHECK(scaled->width == 120 / denominator);
      CHECK(scaled->height == 80 / denominator);
      // The noisy scene averaged down both ways; a wrong decode (channels, rows) is off by ~60.
      const Image reference = whatcar::resize_bilinear(full, scaled->width, scaled->height);
      CHECK(mean_abs_diff(*scaled, reference) < 8.0);
    }
  }
}

TEST_CASE("decode_image scales JPEGs only, only when asked, and keeps EXIF orientation", "[jpeg][exif]") {
  const auto scene = read_bytes("images/scene.jpg");
  CHECK(outcome(scene, 0) == "120x80 scale 1");
  CHECK(outcome(scene, 40) == "60x40 scale 2");
  CHECK(outcome(scene, 20) == "30x20 scale 4");
  CHECK(outcome(scene, 41) == "120x80 scale 1");
  CHECK(outcome(read_bytes("images/scene.png"), 10) == "120x80 scale 1");
  const auto gray = decode_image(read_bytes("images/scene_gray.jpg"), "gray", whatcar::kDefaultMaxPixels, 20);
  CHECK(gray.scale == 4);
  for (size_t i = 0; i < gray.rgb.size(); i += 3) {
    REQUIRE(gray.rgb[i] == gray.rgb[i + 1]);
    REQUIRE(gray.rgb[i] == gray.rgb[i + 2]);
  }
  // orientation_N.jpg store the upright 48x32 picture rotated/mirrored, with the EXIF tag to undo it.
  const Image upright = decode_image(read_bytes("images/orientation_none.jpg"), "none", whatcar::kDefaultMaxPixels, 8);
  REQUIRE(upright.scale == 4);
  for (int o = 1; o <= 8; ++o) {
    INFO("orientation " << o);
    const Image img = decode_image(read_bytes("images/orientation_" + std::to_string(o) + ".jpg"), "o",
                                   whatcar::kDefaultMaxPixels, 8);
    CHECK(img.scale == 4);
    CHECK(mean_abs_diff(img, upright) < 6.0);
  }
}

TEST_CASE("files libjpeg warns about or cannot convert fall back to stb_image", "[jpeg][errors]") {
  const auto truncated = read_bytes("images/truncated.jpg");
  CHECK_FALSE(decode_jpeg_scaled(truncated.data(), truncated.size(), 2));
  CHECK(outcome(truncated, 8) == outcome(truncated, 0));
  CHECK_THAT(outcome(truncated, 8), Catch::StartsWith("cannot decode JPEG"));

  const auto cmyk = cmyk_jpeg(64, 48);
  CHECK_FALSE(decode_jpeg_scaled(cmyk.data(), cmyk.size(), 2));
  CHECK(outcome(cmyk, 8) == outcome(cmyk, 0));

  const std::vector<uint8_t> garbage = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x13, 0x37};
  CHECK_FALSE(decode_jpeg_scaled(garbage.data(), garbage.size(), 2));
}
