// The --version report: tool, build, libtorch and model identity.
#pragma once

#include <string>

namespace whatcar {

// Never throws: a model that cannot be found or loaded is reported in the text.
std::string version_report(const std::string& model_flag);

}  // namespace whatcar
