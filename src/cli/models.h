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
};

struct Networks {
  Model classifier;
  std::optional<Detector> detector;

  Detector* detector_or_null() { return detector ? &*detector : nullptr; }
};

// Throws ModelError when a model is missing or unusable.
Networks load_networks(const ModelOptions& opts);

}  // namespace whatcar
