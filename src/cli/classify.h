// `whatcar classify IMAGE...` (the default command): top-k predictions for each image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/models.h"
#include "pipeline/recognizer.h"

namespace whatcar {

struct ClassifyOptions {
  ModelOptions model;
  RecognizeOptions recognize;  // --timings is recognize.timings
  std::vector<std::string> inputs;
  std::string format = "text";
  bool quiet = false;
};

// Returns the exit status: 0 all classified, 1 some inputs failed. Throws Error for fatal problems.
int run_classify(const ClassifyOptions& opts);

}  // namespace whatcar
