#include "model/model.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/version.h>

#include <filesystem>
#include <thread>

#include <dlfcn.h>

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

Model Model::load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ModelError(path, "model file not found");
  if (std::filesystem::is_directory(path, ec)) throw ModelError(path, "model path is a directory");
  if (std::filesystem::file_size(path, ec) == 0) throw ModelError(path, "model file is empty");
  check_model_archive(path);
  torch::jit::ExtraFilesMap extra{{kMetadataFile, ""}, {kLegacyMetadataFile, ""}};
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
  if (extra[kMetadataFile].empty() && !extra[kLegacyMetadataFile].empty()) {
    throw ModelError(path, fmt::format("metadata in the old text format ({}); convert it with training/export.py --upgrade",
                                       kLegacyMetadataFile));
  }
  ModelMetadata meta = parse_metadata(path, extra[kMetadataFile]);
  return Model(path, std::move(module), std::move(meta));
}

torch::Tensor Model::logits(const torch::Tensor& batch) {
  c10::InferenceMode guard;
  torch::IValue out;
  try {
    // oneDNN runs MobileNetV2's depthwise convolutions without layout reorders on NHWC
    // input: 104-140 img/s at batch 4 instead of 78-83, batch 1 unchanged
    // (bench/forward_efficiency.sh before and after; docs/performance.md).
    out = module_.forward({batch.contiguous(torch::MemoryFormat::ChannelsLast)});
  } catch (const std::exception& e) {
    throw ModelError(path_, fmt::format("inference failed: {}", first_line(e.what())));
  }
  if (!out.isTensor()) throw ModelError(path_, "model output is not a tensor");
  torch::Tensor t = out.toTensor();
  if (t.dim() != 2 || t.size(0) != batch.size(0) || t.size(1) != num_classes()) {
    throw ModelError(path_, fmt::format("model output has shape {} but the model carries {} labels",
                                        fmt::join(t.sizes().vec(), "x"), num_classes()));
  }
  return t.to(torch::kFloat32).contiguous();
}

void set_torch_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  at::set_num_interop_threads(1);
  // BLAS runs only the classifier's small matrix multiply. OpenBLAS's own thread pool then just
  // competes with libtorch's threads and the decoders for the same cores: single-threaded
  // OpenBLAS made `batch` 85 img/s instead of 72 (medians of 7 paired runs of 500 images).
  // Looked up at run time: libblas.so.3 may be another BLAS.
  using SetThreads = void (*)(int);
  if (auto set_blas_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set_blas_threads(1);
  }
}

std::string torch_version() { return TORCH_VERSION; }

}  // namespace whatcar
