// `whatcar batch`: classify folders and path lists at full speed. Worker threads each decode,
// detect and classify their own photos; results stream out in input order.
#pragma once

#include <string>

#include "cli/classify.h"
#include "cli/inputs.h"

namespace whatcar {

struct BatchOptions {
  ModelOptions model;
  RecognizeOptions recognize;
  InputOptions inputs;
  std::string format;   // empty: from -o's extension, else jsonl (text when stdout is a terminal)
  std::string output;   // -o FILE, written atomically; empty: stdout
  int batch_size = 0;   // photos a worker takes at once when they are waiting; 0: default
  int workers = 0;      // recognizing threads; 0: one per core
  bool quiet = false;
};

// Measured on 2 cores with bench/batch_sweep.sh (docs/performance.md): batch 4 beat 1, 8 and 16.
inline constexpr int kDefaultBatchSize = 4;

// 0 all classified, 1 some failed; 130 when interrupted. Throws Error on fatal problems.
int run_batch(const BatchOptions& opts);

}  // namespace whatcar
