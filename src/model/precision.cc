#include "model/precision.h"

#include <ATen/autocast_mode.h>

namespace whatcar {

const std::map<std::string, Precision>& precision_names() {
  static const std::map<std::string, Precision> names{{"fp32", Precision::kFp32}, {"bf16", Precision::kBf16}};
  return names;
}

std::string precision_name(Precision p) {
  for (const auto& [name, value] : precision_names()) {
    if (value == p) return name;
  }
  return "?";
}

PrecisionScope::PrecisionScope(Precision p)
    : was_enabled_(at::autocast::is_cpu_enabled()),
      was_dtype_(static_cast<int>(at::autocast::get_autocast_cpu_dtype())) {
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::set_cpu_enabled(p == Precision::kBf16);
}

PrecisionScope::~PrecisionScope() {
  at::autocast::set_cpu_enabled(was_enabled_);
  at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(was_dtype_));
}

}  // namespace whatcar
