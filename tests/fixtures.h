// Paths to the generated test fixtures (tests/fixtures, made by make_fixtures.py).
#pragma once

#include <string>
#include <vector>

namespace whatcar::test {

std::string fixture(const std::string& relative);
std::vector<float> read_floats(const std::string& relative);  // one number per line
std::vector<unsigned char> read_bytes(const std::string& relative);

}  // namespace whatcar::test
