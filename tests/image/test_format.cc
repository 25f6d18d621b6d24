#include <catch2/catch.hpp>

#include <string>

#include "fixtures.h"
#include "image/format.h"
#include "util/error.h"

using namespace std::string_literals;
using whatcar::Dimensions;
using whatcar::sniff_format;

namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string decodable_error(const std::vector<uint8_t>& head) {
  try {
    whatcar::check_decodable(head, sniff_format(head), "f");
  } catch (const whatcar::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("formats are sniffed from content, not the file name", "[image][format]") {
  CHECK(sniff_format(bytes("\xFF\xD8\xFF\xE0")) == "JPEG");
  CHECK(sniff_format(bytes("GIF89a....")) == "GIF");
  CHECK(sniff_format(bytes("II*\0...."s)) == "TIFF");
  CHECK(sniff_format(bytes("RIFF\0\0\0\0WEBPVP8 "s)) == "WebP");
  CHECK(sniff_format(bytes("hello")) == "");
  CHECK(sniff_format({}) == "");
}

TEST_CASE("what is not an image is refused from its first bytes", "[image][format]") {
  CHECK(decodable_error({}) == "empty file");
  CHECK(decodable_error(std::vector<uint8_t>(65536, 0)) == "not a supported image format");
  CHECK(decodable_error(bytes("RIFF\0\0\0\0WEBPVP8 "s)).empty());  // whether it decodes is the decoder's to say
  CHECK(decodable_error(whatcar::test::read_bytes("images/scene.jpg")).empty());
  // TGA has no signature: it passes on its header alone.
  CHECK(decodable_error(whatcar::test::read_bytes("images/scene.tga")).empty());
}

TEST_CASE("the header gives the size once it is all there", "[image][format]") {
  for (const char* name : {"scene.jpg", "scene.png", "scene.bmp", "scene.gif", "scene.ppm", "scene.tga", "scene.psd"}) {
    INFO(name);
    const auto file = whatcar::test::read_bytes(std::string("images/") + name);
    const auto d = whatcar::header_dimensions(file, sniff_format(file));
    REQUIRE(d);
    CHECK(d->width == 120);
    CHECK(d->height == 80);
  }
  const auto jpeg = whatcar::test::read_bytes("images/scene.jpg");
  CHECK_FALSE(whatcar::header_dimensions({jpeg.begin(), jpeg.begin() + 20}, "JPEG"));
}

TEST_CASE("a file's plausible size follows its pixels, except for animations and layers", "[image][format]") {
  CHECK(whatcar::plausible_file_size("JPEG", Dimensions{1000, 1000}) == 8'000'000 + (16u << 20));
  CHECK(whatcar::plausible_file_size("GIF", Dimensions{10, 10}) == 0);
  CHECK(whatcar::plausible_file_size("PSD", Dimensions{10, 10}) == 0);
}
