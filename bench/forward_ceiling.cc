// The ceiling for batch throughput: the networks' forward passes alone, on tensors made in
// advance (no file reading, decoding, preprocessing or cropping), in the same libtorch as
// whatcar. With DETECTOR, every image also costs one detector pass (whatcar runs the detector
// one photo at a time, the classifier on the batch's crops).
//   forward_ceiling MODEL [BATCH=4] [IMAGES=400] [THREADS=0] [DETECTOR]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "model/detector.h"
#include "model/model.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: forward_ceiling MODEL [BATCH] [IMAGES] [THREADS] [DETECTOR]\n");
    return 2;
  }
  const int batch = argc > 2 ? std::atoi(argv[2]) : 4;
  const int images = argc > 3 ? std::atoi(argv[3]) : 400;
  whatcar::set_torch_threads(argc > 4 ? std::atoi(argv[4]) : 0);
  whatcar::reserve_tensor_memory(1);
  whatcar::Model model = whatcar::Model::load(argv[1]);
  std::optional<whatcar::Detector> detector;
  if (argc > 5) detector = whatcar::Detector::load(argv[5]);
  const int s = model.input_size();
  const torch::Tensor input = torch::rand({batch, 3, s, s});
  torch::Tensor detector_input;
  if (detector) detector_input = torch::rand({3, detector->input_size(), detector->input_size()}) * 255;
  const auto forward = [&] {
    if (detector) {
      for (int i = 0; i < batch; ++i) detector->detect(detector_input.data_ptr<float>());
    }
    model.logits(input);
  };
  forward();  // warm-up: oneDNN builds its kernels on the first call
  const auto start = std::chrono::steady_clock::now();
  int done = 0;
  for (; done < images; done += batch) forward();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:.2f}\n", done / seconds);
  return 0;
}
