// `whatcar verify`: proves that this binary, this libtorch and this model file still give the
// answers the model gave when it was exported. Each check reports PASS/FAIL with a reason.
#pragma once

#include <optional>
#include <string>

#include "cli/classify.h"

namespace whatcar {

inline constexpr double kDefaultTolerance = 1e-3;

struct VerifyOptions {
  ModelOptions model;
  std::string sha256;          // expected digest; default: SHA256SUMS beside the model
  std::string golden;          // CSV of path,expected_label
  std::string images;          // folder of the model's real-image probes; default: ../shared's Stanford Cars
  std::optional<double> min_accuracy;  // golden: pass when top-1 accuracy reaches this
  // Largest |logit difference| on the probes (and |score difference| on the detector's);
  // default: kDefaultTolerance in fp32, the model's own in other precisions.
  std::optional<double> tolerance;
  std::string format = "text";
};

// 0 all checks passed, 1 some failed; throws UsageError (exit 2) when verify cannot run.
int run_verify(const VerifyOptions& opts);

}  // namespace whatcar
