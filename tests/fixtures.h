// Paths to the generated test fixtures (tests/fixtures, made by make_fixtures.py), and
// comparing decoded images.
#pragma once

#include <string>
#include <vector>

#include "image/image.h"

namespace whatcar::test {

std::string fixture(const std::string& relative);
std::vector<float> read_floats(const std::string& relative);  // one number per line
std::vector<unsigned char> read_bytes(const std::string& relative);

// Mean absolute difference per RGB byte of two images of the same size (a test failure if not).
double mean_abs_diff(const Image& a, const Image& b);

}  // namespace whatcar::test
