// Which networks a command runs, and loading them: the classifier always, the detector unless
// --no-detect.
#pragma once

#include <optional>
#include <string>

#include "model/detector.h"
#include "model/model.h"

namespace whatcar {

// Options every command that runs the models shares.
struct ModelOptions {
  std::string model;     // empty: $WHATCAR_MODEL, else the bundled classifier
  std::string detector;  // empty: $WHATCAR_DETECTOR, else the bundled detector
  bool no_detect = false;
  int threads = 0;       // 0: the command's default
  Precision precision = Precision::kFp32;  // the classifier's
};

struct Networks {
  Model classifier;
  std::optional<Detector> detector;

  Detector* detector_or_null() { return detector ? &*detector : nullptr; }
};

// Throws ModelError when a model is missing or unusable.
Networks load_networks(const ModelOptions& opts);

// For commands that recognize several photos at once on `workers` threads (batch, serve): the
// cores are shared out between them: photos side by side use the cores better than threads
// inside one photo's passes (bench/batch_sweep.sh: -j 1 with two threads 4.4 img/s against 5.9
// for two workers). `--threads` overrides. Each worker gets its tensor memory reserved.
void prepare_workers(const ModelOptions& opts, size_t workers);

}  // namespace whatcar
