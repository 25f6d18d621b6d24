#include <catch2/catch.hpp>

#include <vector>

#include "fixtures.h"
#include "jpeg.h"

using namespace whatcar;

namespace {

std::vector<uint8_t> with_dht(const std::vector<uint8_t>& counts) {
  std::vector<uint8_t> b{0xFF, 0xD8, 0xFF, 0xC4};
  size_t n = 0;
  for (uint8_t c : counts) n += c;
  const size_t len = 2 + 1 + 16 + n;
  b.push_back(static_cast<uint8_t>(len >> 8));
  b.push_back(static_cast<uint8_t>(len & 0xFF));
  b.push_back(0x00);  // DC table 0
  b.insert(b.end(), counts.begin(), counts.end());
  b.resize(b.size() + n, 0x01);
  b.insert(b.end(), {0xFF, 0xD9});
  return b;
}

}  // namespace

TEST_CASE("segments are walked across scans up to EOI", "[jpeg]") {
  const auto bytes = test::read_bytes("images/scene_progressive.jpg");
  std::vector<uint8_t> markers;
  const bool ok = walk_jpeg_segments(bytes.data(), bytes.size(), [&](uint8_t m, const uint8_t*, size_t) {
    markers.push_back(m);
    return true;
  });
  CHECK(ok);
  CHECK(std::count(markers.begin(), markers.end(), 0xDA) > 1);  // a progressive file has several scans
  CHECK(std::count(markers.begin(), markers.end(), 0xC4) > 1);  // with Huffman tables between them
}

TEST_CASE("Huffman tables declaring more than 256 codes are unsafe for stb_image", "[jpeg][errors]") {
  std::vector<uint8_t> ok(16, 0), bad(16, 0);
  ok[7] = 200;
  bad[7] = 200;
  bad[8] = 57;
  auto good = with_dht(ok), evil = with_dht(bad);
  CHECK(jpeg_unsafe_reason(good.data(), good.size()).empty());
  CHECK(jpeg_unsafe_reason(evil.data(), evil.size()) == "corrupt JPEG (Huffman table with more than 256 codes)");
  const auto regression = test::read_bytes("../fuzz/regressions/jpeg_dht_over_256_codes.jpg");
  CHECK_FALSE(jpeg_unsafe_reason(regression.data(), regression.size()).empty());
}

TEST_CASE("broken structure stops the walk without reading past the end", "[jpeg]") {
  const std::vector<uint8_t> cut{0xFF, 0xD8, 0xFF, 0xE1, 0x01};
  CHECK_FALSE(walk_jpeg_segments(cut.data(), cut.size(), [](uint8_t, const uint8_t*, size_t) { return true; }));
  const std::vector<uint8_t> too_long{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00};
  CHECK_FALSE(walk_jpeg_segments(too_long.data(), too_long.size(), [](uint8_t, const uint8_t*, size_t) { return true; }));
  CHECK_FALSE(walk_jpeg_segments(nullptr, 0, [](uint8_t, const uint8_t*, size_t) { return true; }));
}
