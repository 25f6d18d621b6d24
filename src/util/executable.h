// Where the running executable lives: the bundled models and the format decoders are found
// relative to it, so a build tree or an installed tree can be moved as a whole.
#pragma once

#include <string>

namespace whatcar {

// The directory holding the running executable (resolved through /proc/self/exe); "." if unknown.
std::string executable_dir();

}  // namespace whatcar
