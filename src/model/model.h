// Loading a whatcar TorchScript model with its metadata, and running it.
#pragma once

#include <torch/csrc/jit/mobile/module.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/metadata.h"
#include "model/precision.h"

namespace whatcar {

class Model {
 public:
  // Throws ModelError: missing file, not TorchScript with lite-interpreter bytecode (what
  // training/export.py saves), metadata missing or inconsistent. `precision`: what logits() computes in.
  static Model load(const std::string& path, Precision precision = Precision::kFp32);

  const std::string& path() const { return path_; }
  const ModelMetadata& metadata() const { return meta_; }
  Precision precision() const { return precision_; }
  int num_classes() const { return static_cast<int>(meta_.labels.size()); }
  int input_size() const { return meta_.preprocess.input_size; }

  // A batch of preprocessed images (N x 3 x S x S float32) to float32 logits (N x num_classes).
  // Throws ModelError when the network's output does not fit its labels.
  torch::Tensor logits(const torch::Tensor& batch);

 private:
  Model(std::string path, torch::jit::mobile::Module module, ModelMetadata meta, Precision precision)
      : path_(std::move(path)), module_(std::move(module)), meta_(std::move(meta)), precision_(precision) {}

  std::string path_;
  torch::jit::mobile::Module module_;
  ModelMetadata meta_;
  Precision precision_;
};

// Sets libtorch's intra-op threads (0 = all cores) and makes inter-op single threaded:
// whatcar never runs two operators concurrently, and each pool costs start-up time.
void set_torch_threads(int threads);

// Reserves address space in the process's allocator for the tensors of `passes` forward passes
// running at once, where that allocator is mimalloc; nothing otherwise. Call it before the
// first forward pass.
void reserve_tensor_memory(size_t passes);

std::string torch_version();

}  // namespace whatcar
