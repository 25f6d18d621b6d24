// How long this process has existed: the cost of exec and of loading libtorch's shared
// libraries, which is spent before main() and which no in-process stopwatch sees.
#pragma once

#include <optional>

namespace whatcar {

// Milliseconds since the kernel started this process (10 ms resolution: the kernel counts
// start times in clock ticks), or nothing where /proc is not available.
std::optional<double> ms_since_process_start();

}  // namespace whatcar
