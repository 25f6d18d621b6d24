// What classifying one input produced: predictions or an error, and optionally timings.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace whatcar {

struct Prediction {
  int index = 0;
  std::string label;
  double probability = 0;
};

struct Timings {
  double decode_ms = 0;
  double preprocess_ms = 0;
  double inference_ms = 0;
  double total_ms = 0;
  int decode_scale = 1;  // the JPEG was decoded at 1/decode_scale size
};

struct Result {
  std::string path;
  std::vector<Prediction> predictions;
  bool confident = true;  // top-1 probability reached the minimum confidence
  std::optional<std::string> error;
  std::optional<Timings> timings;
};

}  // namespace whatcar
