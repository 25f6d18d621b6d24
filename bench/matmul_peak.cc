// What this CPU sustains on a large fp32 matrix multiply through libtorch (its BLAS), in
// GFLOP/s: the yardstick for the model's forward pass. torch::mm runs on OpenBLAS's own thread
// pool, which uses every core whatever libtorch's thread count (1 and 2 threads measured the same).
//   matmul_peak [N=2048]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "model/model.h"

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoi(argv[1]) : 2048;
  const torch::Tensor a = torch::rand({n, n});
  const torch::Tensor b = torch::rand({n, n});
  torch::Tensor c = torch::mm(a, b);  // warm-up: first-touch of the output, BLAS thread start
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    torch::mm_out(c, a, b);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, 2.0 * n * n * n / s / 1e9);
  }
  fmt::print("{:.1f}\n", best);
  return 0;
}
