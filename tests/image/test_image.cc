#include <catch2/catch.hpp>

#include "fixtures.h"
#include "image/image.h"
#include "util/error.h"

using whatcar::Image;
using whatcar::InputError;
using whatcar::load_image;
using whatcar::test::fixture;
using whatcar::test::mean_abs_diff;

namespace {

std::string error_of(const std::string& name, uint64_t max_pixels = whatcar::kDefaultMaxPixels) {
  try {
    load_image(fixture("images/" + name), {max_pixels});
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every supported format decodes to the same RGB picture", "[image]") {
  const Image png = load_image(fixture("images/scene.png"));
  CHECK(png.width == 120);
  CHECK(png.height == 80);
  for (const char* lossless : {"scene.bmp", "scene.tga", "scene.ppm", "scene.psd", "scene_rgba.png"}) {
    INFO(lossless);
    CHECK(load_image(fixture(std::string("images/") + lossless)).rgb == png.rgb);
  }
  for (const char* lossy : {"scene.jpg", "scene_progressive.jpg", "scene.gif", "scene_palette.png"}) {
    INFO(lossy);
    // The scene is noisy, so JPEG and 256-colour versions differ; a wrong decode differs by ~80.
    CHECK(mean_abs_diff(load_image(fixture(std::string("images/") + lossy)), png) < 16.0);
  }
}

TEST_CASE("grayscale, gray+alpha and 16-bit images become gray RGB", "[image]") {
  for (const char* name : {"scene_gray.jpg", "scene_gray_alpha.png", "scene_16bit.png"}) {
    INFO(name);
    const Image img = load_image(fixture(std::string("images/") + name));
    REQUIRE(img.width == 120);
    for (size_t i = 0; i < img.rgb.size(); i += 3) {
      REQUIRE(img.rgb[i] == img.rgb[i + 1]);
      REQUIRE(img.rgb[i] == img.rgb[i + 2]);
    }
  }
}

TEST_CASE("JPEGs come out upright for all 8 EXIF orientations", "[image][exif]") {
  const Image upright = load_image(fixture("images/orientation_none.jpg"));
  for (int o = 1; o <= 8; ++o) {
    INFO("orientation " << o);
    const Image img = load_image(fixture("images/orientation_" + std::to_string(o) + ".jpg"));
    CHECK(mean_abs_diff(img, upright) < 2.0);
  }
}

TEST_CASE("unusable files are InputErrors that say why", "[image][errors]") {
  CHECK(error_of("empty.jpg") == "empty file");
  CHECK(error_of("not_an_image.jpg") == "not a supported image format");
  CHECK_THAT(error_of("truncated.jpg"), Catch::StartsWith("cannot decode JPEG"));
  CHECK_THAT(error_of("corrupt_header.png"), Catch::StartsWith("corrupt PNG header"));
  CHECK_THAT(error_of("missing.jpg"), Catch::Contains("No such file"));
  CHECK(error_of("") == "is a directory");  // the images/ directory itself
}

TEST_CASE("Huffman tables with more than 256 codes are refused, not overflowed", "[image][errors]") {
  // stb_image 2.27 wrote past its tables on these (tests/fuzz/regressions); cmake/stb_image.cmake
  // applies the upstream fix, so a build with an unpatched header fails here under ASan or with
  // a different message.
  for (const char* name : {"jpeg_dht_over_256_codes.jpg", "jpeg_dht_after_stray_bytes.jpg",
                           "jpeg_dht_truncated_segment.jpg", "jpeg_dht_truncated_counts.jpg"}) {
    INFO(name);
    CHECK(error_of(std::string("../../fuzz/regressions/") + name) == "cannot decode JPEG: bad size list");
  }
}

TEST_CASE("the pixel limit is checked from the header", "[image][errors]") {
  CHECK_THAT(error_of("bomb_60000x60000.png"), Catch::Contains("60000x60000 = 3600.0 megapixels"));
  CHECK_THAT(error_of("bomb_60000x60000.gif"), Catch::Contains("over the limit of 100.0"));
  CHECK_THAT(error_of("scene.png", 120 * 80 - 1), Catch::Contains("(--max-pixels)"));
  CHECK(error_of("scene.png", 120 * 80).empty());
}
