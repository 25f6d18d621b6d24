#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "fixtures.h"
#include "image/exif.h"

using whatcar::apply_orientation;
using whatcar::Image;
using whatcar::jpeg_exif_orientation;

namespace {

// A JPEG prefix: SOI, then an APP1 Exif segment holding `tiff`, then SOS.
std::vector<uint8_t> jpeg_with_tiff(const std::vector<uint8_t>& tiff) {
  std::vector<uint8_t> b{0xFF, 0xD8, 0xFF, 0xE1};
  const size_t len = tiff.size() + 8;
  b.push_back(static_cast<uint8_t>(len >> 8));
  b.push_back(static_cast<uint8_t>(len & 0xFF));
  for (char c : std::string("Exif\0\0", 6)) b.push_back(static_cast<uint8_t>(c));
  b.insert(b.end(), tiff.begin(), tiff.end());
  b.insert(b.end(), {0xFF, 0xDA, 0x00, 0x02});
  return b;
}

std::vector<uint8_t> tiff_le(uint16_t orientation, uint32_t ifd_offset = 8, uint16_t count = 1, uint16_t type = 3) {
  std::vector<uint8_t> t{'I', 'I', 42, 0};
  for (int i = 0; i < 4; ++i) t.push_back(static_cast<uint8_t>(ifd_offset >> (8 * i)));
  t.resize(std::max<size_t>(t.size(), ifd_offset), 0);
  t.push_back(static_cast<uint8_t>(count));
  t.push_back(static_cast<uint8_t>(count >> 8));
  t.insert(t.end(), {0x12, 0x01, static_cast<uint8_t>(type), 0, 1, 0, 0, 0,
                     static_cast<uint8_t>(orientation), 0, 0, 0});
  return t;
}

int orientation_of(const std::vector<uint8_t>& b) { return jpeg_exif_orientation(b.data(), b.size()); }

Image numbered(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  for (int i = 0; i < w * h; ++i) img.rgb.insert(img.rgb.end(), {static_cast<uint8_t>(i), 0, 0});
  return img;
}

std::vector<int> pixels(const Image& img) {
  std::vector<int> out;
  for (size_t i = 0; i < img.rgb.size(); i += 3) out.push_back(img.rgb[i]);
  return out;
}

}  // namespace

TEST_CASE("EXIF orientation is read from little- and big-endian TIFF", "[exif]") {
  for (uint16_t o = 1; o <= 8; ++o) CHECK(orientation_of(jpeg_with_tiff(tiff_le(o))) == o);
  std::vector<uint8_t> mm{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0};
  CHECK(orientation_of(jpeg_with_tiff(mm)) == 6);
}

TEST_CASE("malformed EXIF falls back to orientation 1 without reading out of bounds", "[exif]") {
  CHECK(orientation_of({}) == 1);
  CHECK(orientation_of({0xFF, 0xD8}) == 1);
  CHECK(orientation_of(jpeg_with_tiff(tiff_le(9))) == 1);                  // value out of range
  CHECK(orientation_of(jpeg_with_tiff(tiff_le(6, 8, 1, 4))) == 1);         // wrong type
  CHECK(orientation_of(jpeg_with_tiff(tiff_le(6, 0xFFFFFFF0u))) == 1);     // IFD offset past the end
  auto absurd = tiff_le(6, 8, 0xFFFF);  // 65535 entries announced, one present...
  absurd[10] = 0x00;                     // ...and it is not the orientation tag
  CHECK(orientation_of(jpeg_with_tiff(absurd)) == 1);
  CHECK(orientation_of(jpeg_with_tiff(tiff_le(6, 8, 0xFFFF))) == 6);  // found before the count runs out
  // A segment cut short (its length runs past the end of the file) is read as far as it goes,
  // never further: the tag is found exactly when its value bytes are inside the file.
  auto b = jpeg_with_tiff(tiff_le(6));
  b[5] = 0xFF;
  CHECK(orientation_of(b) == 6);
  const size_t value_end = 2 + 4 + 6 + 8 + 2 + 10;  // SOI, APP1 header, "Exif\0\0", TIFF header, count, entry
  for (size_t cut = 0; cut < jpeg_with_tiff(tiff_le(6)).size() - 4; ++cut) {
    auto t = jpeg_with_tiff(tiff_le(6));
    t.resize(cut);  // every truncation: the vector's exact size is all the parser may read
    t.shrink_to_fit();
    INFO("cut at " << cut);
    CHECK(orientation_of(t) == (cut >= value_end ? 6 : 1));
  }
}

TEST_CASE("the orientation tag is found after other segments", "[exif]") {
  auto b = jpeg_with_tiff(tiff_le(3));
  std::vector<uint8_t> app0{0xFF, 0xE0, 0x00, 0x04, 0xAB, 0xCD};
  b.insert(b.begin() + 2, app0.begin(), app0.end());
  CHECK(orientation_of(b) == 3);
}

TEST_CASE("apply_orientation maps pixels for all 8 orientations", "[exif]") {
  // 3x2 image numbered 0..5 row-major:  0 1 2 / 3 4 5
  const Image img = numbered(3, 2);
  CHECK(pixels(apply_orientation(img, 1)) == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(pixels(apply_orientation(img, 2)) == std::vector<int>{2, 1, 0, 5, 4, 3});
  CHECK(pixels(apply_orientation(img, 3)) == std::vector<int>{5, 4, 3, 2, 1, 0});
  CHECK(pixels(apply_orientation(img, 4)) == std::vector<int>{3, 4, 5, 0, 1, 2});
  CHECK(pixels(apply_orientation(img, 5)) == std::vector<int>{0, 3, 1, 4, 2, 5});
  CHECK(pixels(apply_orientation(img, 6)) == std::vector<int>{3, 0, 4, 1, 5, 2});
  CHECK(pixels(apply_orientation(img, 7)) == std::vector<int>{5, 2, 4, 1, 3, 0});
  CHECK(pixels(apply_orientation(img, 8)) == std::vector<int>{2, 5, 1, 4, 0, 3});
  CHECK(apply_orientation(img, 6).width == 2);
}
