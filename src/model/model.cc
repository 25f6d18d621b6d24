#include "model/model.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/version.h>

#include <thread>

#include <dlfcn.h>

#include "model/torchscript.h"
#include "util/error.h"

namespace whatcar {

Model Model::load(const std::string& path, Precision precision) {
  torch::jit::ExtraFilesMap extra{{kMetadataFile, ""}, {kLegacyMetadataFile, ""}};
  torch::jit::mobile::Module module = load_torchscript(path, extra);
  if (extra[kMetadataFile].empty() && !extra[kLegacyMetadataFile].empty()) {
    throw ModelError(path, fmt::format("metadata in the old text format ({}); convert it with training/export.py --upgrade",
                                       kLegacyMetadataFile));
  }
  ModelMetadata meta = parse_metadata(path, extra[kMetadataFile]);
  return Model(path, std::move(module), std::move(meta), precision);
}

torch::Tensor Model::logits(const torch::Tensor& batch) {
  // oneDNN runs MobileNetV2's depthwise convolutions without layout reorders on NHWC
  // input: 104-140 img/s at batch 4 instead of 78-83, batch 1 unchanged
  // (bench/forward_efficiency.sh before and after; docs/performance.md).
  torch::Tensor t = run_forward(module_, path_, batch.contiguous(torch::MemoryFormat::ChannelsLast), precision_);
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

void reserve_tensor_memory(size_t passes) {
  // The detector's largest activations are 16-17 MiB. mimalloc maps allocations that large
  // from the OS one by one and unmaps them when freed, so every photo paid about 15,000 page
  // faults for memory it had a moment before. Served from a reserved arena, they reuse it:
  // `batch` 1.3x as fast, max RSS about 60 MB higher (docs/performance.md). 256 MiB a pass is
  // what two workers needed (128 each left the faults); pages become resident only when touched.
  // Committed up front: an uncommitted arena is decommitted on free and faults again. Looked up
  // at run time: the allocator may be glibc's (-DWHATCAR_MIMALLOC=OFF) or a sanitizer's.
  using Reserve = int (*)(size_t, bool, bool);
  if (auto reserve = reinterpret_cast<Reserve>(dlsym(RTLD_DEFAULT, "mi_reserve_os_memory"))) {
    reserve(passes * (size_t{256} << 20), /*commit=*/true, /*allow_large=*/false);
  }
}

std::string torch_version() { return TORCH_VERSION; }

}  // namespace whatcar
