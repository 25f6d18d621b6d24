#include "model/torchscript.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>
#include <torch/csrc/jit/mobile/import.h>

#include <filesystem>

#include "model/model_archive.h"
#include "util/error.h"

namespace whatcar {
namespace {

// libtorch's messages carry a C++ stack trace after the first line; users get the first line.
std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// Why a model that libtorch refused could not be loaded: the common case, a TorchScript model
// saved by torch.jit.save without bytecode, gets an answer that says what to do.
std::string load_failure(const std::string& path, const std::exception& e) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    if (reader.hasRecord("data.pkl") && !reader.hasRecord("bytecode.pkl")) {
      return "TorchScript without bytecode for libtorch's lite interpreter (save it with training/export.py)";
    }
  } catch (const std::exception&) {
    // Not a zip archive at all: libtorch's own message says so.
  }
  return first_line(e.what());
}

}  // namespace

torch::jit::mobile::Module load_torchscript(const std::string& path, torch::jit::ExtraFilesMap& extra) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ModelError(path, "model file not found");
  if (std::filesystem::is_directory(path, ec)) throw ModelError(path, "model path is a directory");
  if (std::filesystem::file_size(path, ec) == 0) throw ModelError(path, "model file is empty");
  check_model_archive(path);
  torch::jit::mobile::Module module;
  try {
    // The lite interpreter runs the bytecode saved beside the TorchScript source instead of
    // compiling that source: first load 14 ms instead of 24.5 (docs/startup.md, section 7).
    // By file name: the overload taking a reader copies the file into a padded buffer first and
    // reads past it on a truncated archive (AddressSanitizer, tests/cli/test_verify.sh).
    module = torch::jit::_load_for_mobile(path, torch::kCPU, extra);
  } catch (const std::exception& e) {
    throw ModelError(path, fmt::format("not a loadable TorchScript model: {}", load_failure(path, e)));
  }
  if (!module.find_method("forward")) throw ModelError(path, "TorchScript model has no forward method");
  return module;
}

torch::Tensor run_forward(torch::jit::mobile::Module& module, const std::string& path, const torch::Tensor& input,
                          Precision precision) {
  c10::InferenceMode guard;
  PrecisionScope scope(precision);
  torch::IValue out;
  try {
    out = module.forward({input});
  } catch (const std::exception& e) {
    throw ModelError(path, fmt::format("inference failed: {}", first_line(e.what())));
  }
  if (!out.isTensor()) throw ModelError(path, "model output is not a tensor");
  return out.toTensor();
}

}  // namespace whatcar
