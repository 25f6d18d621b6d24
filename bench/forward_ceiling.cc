// The ceiling for batch throughput: the model's forward pass alone, on tensors made in
// advance (no file reading, decoding or preprocessing), in the same libtorch as whatcar.
//   forward_ceiling MODEL [BATCH=4] [IMAGES=400] [THREADS=0]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "model/model.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: forward_ceiling MODEL [BATCH] [IMAGES] [THREADS]\n");
    return 2;
  }
  const int batch = argc > 2 ? std::atoi(argv[2]) : 4;
  const int images = argc > 3 ? std::atoi(argv[3]) : 400;
  whatcar::set_torch_threads(argc > 4 ? std::atoi(argv[4]) : 0);
  whatcar::Model model = whatcar::Model::load(argv[1]);
  const int s = model.input_size();
  const torch::Tensor input = torch::rand({batch, 3, s, s});
  model.logits(input);  // warm-up: oneDNN builds its kernels on the first call
  const auto start = std::chrono::steady_clock::now();
  int done = 0;
  for (; done < images; done += batch) model.logits(input);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:.2f}\n", done / seconds);
  return 0;
}
