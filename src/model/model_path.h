// Finding the bundled model without flags, from the build tree or an installed (and moved) tree.
#pragma once

#include <string>
#include <vector>

#include "util/executable.h"

namespace whatcar {

inline constexpr const char* kModelFileName = "whatcar-cars.pt";
inline constexpr const char* kDetectorFileName = "whatcar-detector.pt";

// Candidates in order: <exe>/models, <exe>/../share/whatcar/models, the source tree.
std::vector<std::string> default_model_candidates(const std::string& file_name = kModelFileName);

// `explicit_path` when given, else $WHATCAR_MODEL when set, else the first candidate that exists;
// throws ModelError listing where it looked.
std::string resolve_model_path(const std::string& explicit_path);

// The same for the detector: `explicit_path`, else $WHATCAR_DETECTOR, else the first candidate.
std::string resolve_detector_path(const std::string& explicit_path);

}  // namespace whatcar
