#include "fixtures.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace whatcar::test {

std::string fixture(const std::string& relative) { return std::string(WHATCAR_FIXTURES_DIR) + "/" + relative; }

std::vector<float> read_floats(const std::string& relative) {
  std::ifstream in(fixture(relative));
  if (!in) throw std::runtime_error("missing fixture " + relative);
  std::vector<float> out;
  for (float v; in >> v;) out.push_back(v);
  return out;
}

std::vector<unsigned char> read_bytes(const std::string& relative) {
  std::ifstream in(fixture(relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + relative);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double mean_abs_diff(const Image& a, const Image& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  double sum = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(int(a.rgb[i]) - int(b.rgb[i]));
  return sum / a.rgb.size();
}

}  // namespace whatcar::test
