// Loading a TorchScript file saved for libtorch's lite interpreter, with its extra files, and
// running its forward method; shared by the classifier and the detector.
#pragma once

#include <torch/csrc/jit/mobile/module.h>
#include <torch/torch.h>

#include <string>

#include "model/precision.h"

namespace whatcar {

// Throws ModelError: missing, empty or a directory, not a sound archive, not TorchScript with
// lite-interpreter bytecode, no forward method. `extra` names the extra files to read; their
// contents are filled in (empty when absent).
torch::jit::mobile::Module load_torchscript(const std::string& path, torch::jit::ExtraFilesMap& extra);

// forward(input) as one tensor, computed in `precision` (its dtype may be bf16's); throws
// ModelError naming `path` when libtorch fails or the output is not a tensor.
torch::Tensor run_forward(torch::jit::mobile::Module& module, const std::string& path, const torch::Tensor& input,
                          Precision precision);

}  // namespace whatcar
