// `whatcar classify IMAGE...` (the default command): top-k predictions for each image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image.h"

namespace whatcar {

// Options every command that runs the model shares.
struct ModelOptions {
  std::string model;  // empty: the bundled model
  int threads = 0;    // 0: the command's default
  std::optional<double> min_confidence;  // overrides the model's threshold
};

struct ClassifyOptions {
  ModelOptions model;
  std::vector<std::string> inputs;
  int top_k = 5;
  std::string format = "text";
  bool timings = false;
  bool quiet = false;
  uint64_t max_pixels = kDefaultMaxPixels;
  bool full_decode = false;  // no reduced-size JPEG decoding
};

// One image at a time at batch 1, one thread beat two on 2 cores: 0.87x the wall time for 1
// photo and 0.63-0.68x for 10, in two runs of bench/classify_threads.sh. `batch`, which
// overlaps decoding with batches of 4, keeps every core.
inline constexpr int kClassifyDefaultThreads = 1;

// Returns the exit status: 0 all classified, 1 some inputs failed. Throws Error for fatal problems.
int run_classify(const ClassifyOptions& opts);

}  // namespace whatcar
