#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.h"
#include "image/image.h"
#include "image/preprocess.h"

using namespace whatcar;
using whatcar::test::fixture;
using whatcar::test::read_bytes;
using whatcar::test::read_floats;

namespace {

// The tiny fixture model's preprocessing (tests/fixtures/make_tiny_model.py).
PreprocessConfig tiny_config() {
  PreprocessConfig c;
  c.resize = "shorter-side";
  c.resize_size = 36;
  c.input_size = 32;
  c.mean = {0.485f, 0.456f, 0.406f};
  c.std = {0.229f, 0.224f, 0.225f};
  return c;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

}  // namespace

TEST_CASE("resize_bilinear matches Pillow's Image.resize(BILINEAR) byte for byte", "[preprocess]") {
  const Image scene = load_image(fixture("images/scene.png"));
  for (auto [w, h] : {std::pair{32, 32}, {7, 50}, {300, 81}, {120, 41}}) {
    INFO(w << "x" << h);
    const Image out = resize_bilinear(scene, w, h);
    const auto expected = read_bytes("reference/scene_resized_" + std::to_string(w) + "x" + std::to_string(h) + ".rgb");
    REQUIRE(out.width == w);
    REQUIRE(out.height == h);
    CHECK(std::vector<unsigned char>(out.rgb.begin(), out.rgb.end()) == expected);
  }
}

TEST_CASE("crop offsets round half to even, as torchvision (Python's round)", "[preprocess]") {
  CHECK(crop_offset(5, 2) == 2);  // round(1.5) = 2
  CHECK(crop_offset(5, 4) == 0);  // round(0.5) = 0
  CHECK(crop_offset(7, 2) == 2);  // round(2.5) = 2
  CHECK(crop_offset(5, 3) == 1);
}

TEST_CASE("a window of a resize equals the same pixels of the whole resize", "[preprocess]") {
  const Image scene = load_image(fixture("images/scene.png"));
  const Image whole = resize_bilinear(scene, 300, 81);
  const Image window = resize_window(scene, 300, 81, 17, 5, 40, 30);
  for (int y = 0; y < 30; ++y) {
    for (int x = 0; x < 40; ++x) REQUIRE(std::equal(window.at(x, y), window.at(x, y) + 3, whole.at(x + 17, y + 5)));
  }
}

TEST_CASE("extreme aspect ratios are resized without a huge intermediate", "[preprocess]") {
  Image strip;
  strip.width = 60000;
  strip.height = 1;
  strip.rgb.assign(60000 * 3, 128);
  PreprocessConfig c = tiny_config();
  c.resize_size = 256;
  const Image out = resize_and_crop(strip, c);  // the whole resize would be 15,360,000 x 256
  CHECK(out.width == 32);
  CHECK(out.rgb == std::vector<uint8_t>(32 * 32 * 3, 128));
}

TEST_CASE("the model input equals the Python evaluation transform's tensor", "[preprocess][parity]") {
  // PNG: identical decoded pixels, so the tensors must agree to float rounding.
  // JPEG: stb_image and libjpeg decode slightly differently, hence the looser bound.
  for (auto [name, tolerance] : {std::pair{"scene.png", 1e-6f}, {"portrait.png", 1e-6f}, {"scene.jpg", 0.15f}}) {
    INFO(name);
    const Image img = load_image(fixture(std::string("images/") + name));
    std::vector<float> ours(3 * 32 * 32);
    preprocess_into(img, tiny_config(), ours.data());
    CHECK(max_abs_diff(ours, read_floats(std::string("reference/") + name + ".input.txt")) <= tolerance);
  }
}

TEST_CASE("normalisation is (x / 255 - mean) / std per channel", "[preprocess]") {
  Image px;
  px.width = px.height = 1;
  px.rgb = {255, 0, 51};
  PreprocessConfig c;
  c.mean = {0.5f, 0.5f, 0.2f};
  c.std = {0.5f, 0.25f, 1.0f};
  float out[3];
  normalize_into(px, c, out);
  CHECK(out[0] == Approx(1.0f));
  CHECK(out[1] == Approx(-2.0f));
  CHECK(out[2] == Approx(0.0f).margin(1e-6));
}

TEST_CASE("squash resizes the whole image to the input size", "[preprocess]") {
  PreprocessConfig c = tiny_config();
  c.resize = "squash";
  const Image out = resize_and_crop(load_image(fixture("images/portrait.png")), c);
  CHECK(out.width == 32);
  CHECK(out.height == 32);
  CHECK(out.rgb == resize_bilinear(load_image(fixture("images/portrait.png")), 32, 32).rgb);
}

TEST_CASE("letterbox keeps the aspect at the top-left of a black square", "[preprocess]") {
  CHECK(letterbox_size(60, 150, 32) == std::pair{13, 32});  // 12.8 rounds to 13
  CHECK(letterbox_size(200, 100, 64) == std::pair{64, 32});
  CHECK(letterbox_size(20000, 20, 512) == std::pair{512, 1});  // never 0 rows
  PreprocessConfig c = tiny_config();
  c.resize = "letterbox";
  const Image in = load_image(fixture("images/portrait.png"));  // 60x150
  const Image out = resize_and_crop(in, c);
  REQUIRE(out.width == 32);
  REQUIRE(out.height == 32);
  const Image resized = resize_bilinear(in, 13, 32);
  for (int y = 0; y < 32; ++y) {
    for (int x = 0; x < 32; ++x) {
      for (int ch = 0; ch < 3; ++ch) {
        const int want = x < 13 ? resized.at(x, y)[ch] : 0;
        if (out.at(x, y)[ch] != want) FAIL("pixel " << x << "," << y << " is " << int(out.at(x, y)[ch]) << ", not " << want);
      }
    }
  }
}

TEST_CASE("a letterbox with pad_to is only as large as the image needs, in multiples of it", "[preprocess]") {
  PreprocessConfig c = tiny_config();
  c.resize = "letterbox";
  c.input_size = 512;
  CHECK(input_dims(c, 128, 96) == std::pair{512, 512});  // no pad_to: square
  c.pad_to = 32;
  CHECK(input_dims(c, 128, 96) == std::pair{512, 384});
  CHECK(input_dims(c, 97, 61) == std::pair{512, 352});   // 512x322, rounded up
  CHECK(input_dims(c, 64, 200) == std::pair{192, 512});  // 164x512
  CHECK(input_dims(c, 20000, 20) == std::pair{512, 32});
  CHECK(input_dims(c, 700, 700) == std::pair{512, 512});
  c.resize = "squash";
  CHECK(input_dims(c, 128, 96) == std::pair{512, 512});  // pad_to belongs to the letterbox

  // The padded canvas is the square canvas's top rows: the same pixels, black beyond the image.
  PreprocessConfig square = tiny_config();
  square.resize = "letterbox";
  c = square;
  c.pad_to = 8;
  const Image in = load_image(fixture("images/scene.png"));
  const auto [w, h] = input_dims(c, in.width, in.height);
  REQUIRE(w == 32);
  REQUIRE(h < 32);
  REQUIRE(h % 8 == 0);
  const Image padded = resize_and_crop(in, c), whole = resize_and_crop(in, square);
  REQUIRE(padded.width == w);
  REQUIRE(padded.height == h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < 3; ++ch) {
        if (padded.at(x, y)[ch] != whole.at(x, y)[ch]) FAIL("pixel " << x << "," << y << " differs");
      }
    }
  }
  std::vector<float> out(3 * static_cast<size_t>(w) * h + 1, -1.0f);
  preprocess_into(in, c, out.data());
  CHECK(out.back() == -1.0f);  // 3 x h x w floats written, no more
}

TEST_CASE("images may be decoded down to twice the size the resize aims at", "[preprocess][jpeg]") {
  PreprocessConfig c = tiny_config();
  c.input_size = 224;
  c.resize_size = 256;
  c.resize = "squash";
  CHECK(whatcar::min_decode_short_side(c) == 448);
  c.resize = "shorter-side";
  CHECK(whatcar::min_decode_short_side(c) == 512);
}
