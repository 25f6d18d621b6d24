// The formats of libwhatcar-formats.so, through decode_image as whatcar meets them (the module is
// copied beside whatcar_tests, where it is looked for). Fixtures: tests/fixtures/make_format_fixtures.py.
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "image/image.h"
#include "util/error.h"

using whatcar::Image;
using whatcar::test::fixture;
using whatcar::test::mean_abs_diff;

namespace {

Image decode(const std::string& relative, uint64_t max_pixels = whatcar::kDefaultMaxPixels) {
  const auto bytes = whatcar::test::read_bytes(relative);
  return whatcar::decode_image(bytes, relative, max_pixels);
}

std::string error_of(const std::string& relative, uint64_t max_pixels = whatcar::kDefaultMaxPixels) {
  try {
    decode(relative, max_pixels);
  } catch (const whatcar::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("lossless files of every format give the PNG's pixels exactly", "[image][formats]") {
  const Image png = decode("images/scene.png");
  for (const char* name : {"scene.webp", "scene.avif", "scene.jxl", "scene.tiff", "scene_16bit.tiff",
                           "scene_alpha.webp", "scene_animated.webp"}) {
    INFO(name);
    const Image img = decode(std::string("formats/") + name);
    REQUIRE(img.width == 120);
    REQUIRE(img.height == 80);
    CHECK(img.file_width == 120);
    CHECK(img.file_height == 80);
    CHECK(img.rgb == png.rgb);
  }
}

TEST_CASE("lossy, 10-bit and CMYK files come close to the PNG", "[image][formats]") {
  const Image png = decode("images/scene.png");
  // Bounds: a little above what each file measured (8.4 for 4:2:0 WebP on this noisy scene;
  // the others under 4): the encoders' loss and CMYK round trips.
  const std::pair<const char*, double> cases[] = {
      {"scene_lossy.webp", 10.0}, {"scene.heic", 4.0},     {"scene_10bit.heic", 4.0},
      {"scene_10bit.avif", 4.0}, {"scene_cmyk.tiff", 4.0}, {"scene_cmyk.jpg", 6.0}};
  for (const auto& [name, bound] : cases) {
    INFO(name);
    const Image img = decode(std::string("formats/") + name);
    REQUIRE(img.width == 120);
    REQUIRE(img.height == 80);
    CHECK(mean_abs_diff(img, png) < bound);
  }
}

TEST_CASE("a JPEG stb_image refuses (arithmetic coding) is decoded by libjpeg-turbo", "[image][formats]") {
  const Image img = decode("formats/scene_arithmetic.jpg");
  // The same coefficients as scene.jpg, so only the two decoders' rounding differs.
  CHECK(mean_abs_diff(img, decode("images/scene.jpg")) < 1.0);
}

TEST_CASE("transparent parts are put on white", "[image][formats]") {
  const Image img = decode("formats/scene_transparent_half.webp");
  const Image png = decode("images/scene.png");
  bool left_white = true, right_same = true;
  for (int y = 0; y < 80; ++y) {
    for (int x = 0; x < 120; ++x) {
      for (int c = 0; c < 3; ++c) {
        if (x < 60) left_white &= img.at(x, y)[c] == 255;
        if (x >= 60) right_same &= img.at(x, y)[c] == png.at(x, y)[c];
      }
    }
  }
  CHECK(left_white);
  CHECK(right_same);
}

TEST_CASE("each EXIF orientation in WebP and TIFF comes out upright, turned once", "[image][formats]") {
  const Image upright = decode("formats/orientation_1.webp");
  REQUIRE(upright.width == 48);
  REQUIRE(upright.height == 32);
  for (const char* ext : {".webp", ".tiff"}) {
    for (int o = 1; o <= 8; ++o) {
      INFO("orientation_" << o << ext);
      const Image img = decode("formats/orientation_" + std::to_string(o) + ext);
      REQUIRE(img.width == 48);
      REQUIRE(img.height == 32);
      CHECK(img.rgb == upright.rgb);
    }
  }
}

TEST_CASE("HEIC's irot/imir and JPEG XL's orientation turn the picture upright, once, despite their EXIF tag",
          "[image][formats]") {
  // Both fixtures also carry the EXIF orientation (as phones and a JPEG transcode write it); the
  // picture is the JPEG's, so it is compared within JPEG's loss.
  const Image upright = decode("images/orientation_none.jpg");
  for (const char* ext : {".heic", ".jxl"}) {
    for (int o = 1; o <= 8; ++o) {
      INFO("orientation_" << o << ext);
      const Image img = decode("formats/orientation_" + std::to_string(o) + ext);
      REQUIRE(img.width == 48);
      REQUIRE(img.height == 32);
      CHECK(mean_abs_diff(img, upright) < 2.0);
    }
  }
}

TEST_CASE("the pixel limit is checked from each format's header", "[image][formats][errors]") {
  for (const char* name : {"scene.webp", "scene.avif", "scene.heic", "scene.jxl", "scene.tiff"}) {
    INFO(name);
    CHECK_THAT(error_of(std::string("formats/") + name, 120 * 80 - 1),
               Catch::Contains("image is 120x80 = 0.0 megapixels, over the limit of 0.0 (--max-pixels)"));
    CHECK(error_of(std::string("formats/") + name, 120 * 80).empty());
  }
}

TEST_CASE("a file that claims a format and holds garbage says so", "[image][formats][errors]") {
  CHECK(error_of("images/photo.webp") == "corrupt WebP header");
  CHECK_THAT(error_of("images/photo.heic"), Catch::StartsWith("cannot read HEIF"));
  CHECK_THAT(error_of("images/photo.avif"), Catch::StartsWith("cannot read HEIF"));
}

TEST_CASE("a truncated file of each format is refused in one line", "[image][formats][errors]") {
  for (const char* name : {"scene.webp", "scene.avif", "scene.heic", "scene.jxl", "scene.tiff", "scene_arithmetic.jpg"}) {
    INFO(name);
    auto bytes = whatcar::test::read_bytes(std::string("formats/") + name);
    bytes.resize(bytes.size() / 2);
    std::string message;
    try {
      whatcar::decode_image(bytes, name);
    } catch (const whatcar::InputError& e) {
      message = e.what();
    }
    CHECK_FALSE(message.empty());
    CHECK(message.find('\n') == std::string::npos);
  }
}
