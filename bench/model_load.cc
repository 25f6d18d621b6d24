// One process's first model load and first forward pass, through libtorch's TorchScript
// loader (torch::jit::load, which compiles the model's source) or its lite interpreter
// (torch::jit::_load_for_mobile, which reads the saved bytecode, as whatcar does). The first
// load is what a cold `whatcar photo.jpg` pays; later loads in the same process are cheaper.
//   model_load MODEL jit|lite   prints "LOAD_MS FORWARD_MS"
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/torch.h>

#include <string>

#include "util/stopwatch.h"

namespace {

template <typename Load>
void time_model(Load load) {
  const torch::Tensor input = torch::rand({1, 3, 224, 224}).contiguous(torch::MemoryFormat::ChannelsLast);
  c10::InferenceMode guard;
  whatcar::Stopwatch watch;
  auto module = load();
  const double load_ms = watch.lap_ms();
  module.forward({input});
  fmt::print("{:.1f} {:.1f}\n", load_ms, watch.lap_ms());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string how = argc == 3 ? argv[2] : "";
  if (how != "jit" && how != "lite") {
    fmt::print(stderr, "usage: model_load MODEL jit|lite\n");
    return 2;
  }
  const std::string path = argv[1];
  at::set_num_threads(1);
  if (how == "jit") {
    torch::jit::setGraphExecutorOptimize(false);  // as whatcar did, so the first call is not re-optimised
    time_model([&] { return torch::jit::load(path); });
  } else {
    time_model([&] { return torch::jit::_load_for_mobile(path); });
  }
  return 0;
}
