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

// One image at a time at batch 1, a second thread buys nothing on 2 cores: bench/classify_threads.sh
// gave 0.99x / 0.98x the wall time with one thread for 1 / 10 photos (0.87x / 0.63-0.68x while
// OpenBLAS still ran its own threads, see set_torch_threads), for half the CPU. `batch` and
// `serve` use every core by recognizing one photo per core (share_torch_threads).
inline constexpr int kClassifyDefaultThreads = 1;

// Returns the exit status: 0 all classified, 1 some inputs failed. Throws Error for fatal problems.
int run_classify(const ClassifyOptions& opts);

}  // namespace whatcar
