// The --version report: tool, build, libtorch and model identity.
#pragma once

#include <string>

namespace whatcar {

// Never throws: a model that cannot be found or loaded is reported in the text. The model is
// $WHATCAR_MODEL or the bundled one.
std::string version_report();

}  // namespace whatcar
