// The arithmetic the classifier runs in. bf16 goes through libtorch's CPU autocast: convolutions
// and matrix multiplies in bfloat16, everything else in fp32. The detector always runs in fp32:
// in bf16 its pass was only 10% faster and its box corners fell on bfloat16's 2-pixel steps
// (docs/performance.md).
#pragma once

#include <map>
#include <string>

namespace whatcar {

enum class Precision { kFp32, kBf16 };

// "fp32", "bf16": the names the command line and the model metadata use.
const std::map<std::string, Precision>& precision_names();
std::string precision_name(Precision p);

// Until destroyed, the operators this thread runs use `p` (autocast state is per thread, so
// each worker sets its own around each forward pass).
class PrecisionScope {
 public:
  explicit PrecisionScope(Precision p);
  ~PrecisionScope();
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  bool was_enabled_;
  int was_dtype_;  // an at::ScalarType, kept out of this header
};

}  // namespace whatcar
