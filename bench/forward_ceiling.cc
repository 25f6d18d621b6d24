// The ceiling for batch throughput: the networks' forward passes alone, on tensors made in
// advance (no file reading, decoding, preprocessing or cropping), in the same libtorch as
// whatcar. With DETECTOR, every image also costs one detector pass (whatcar runs the detector
// one photo at a time, the classifier on the batch's crops), on the canvas the detector's
// preprocessing gives the photos listed in LIST, in turn (decoded before the clock starts), or
// without LIST, on a square input_size canvas. --precision: the classifier's, as whatcar's option.
//   forward_ceiling [--precision fp32|bf16] MODEL [BATCH=4] [IMAGES=400] [THREADS=0] [DETECTOR [LIST]]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "image/image.h"
#include "image/preprocess.h"
#include "model/detector.h"
#include "model/model.h"

namespace {

// The detector's input for each listed photo, one random tensor per distinct canvas.
std::vector<torch::Tensor> detector_inputs(const whatcar::Detector& detector, const char* list) {
  const whatcar::PreprocessConfig& cfg = detector.metadata().preprocess;
  std::vector<std::pair<int, int>> dims;
  if (list == nullptr) {
    dims.emplace_back(cfg.input_size, cfg.input_size);
  } else {
    std::ifstream in(list);
    for (std::string path; std::getline(in, path);) {
      const whatcar::Image image = whatcar::load_image(path);
      dims.push_back(whatcar::input_dims(cfg, image.width, image.height));
    }
  }
  std::map<std::pair<int, int>, torch::Tensor> by_canvas;
  std::vector<torch::Tensor> inputs;
  for (const auto& [w, h] : dims) {
    auto it = by_canvas.try_emplace({w, h}, torch::rand({3, h, w}) * 255).first;
    inputs.push_back(it->second);
  }
  return inputs;
}

}  // namespace

int main(int argc, char** argv) {
  whatcar::Precision precision = whatcar::Precision::kFp32;
  if (argc > 2 && std::string(argv[1]) == "--precision") {
    const auto known = whatcar::precision_names().find(argv[2]);
    if (known == whatcar::precision_names().end()) {
      fmt::print(stderr, "forward_ceiling: unknown precision {}\n", argv[2]);
      return 2;
    }
    precision = known->second;
    argc -= 2;
    argv += 2;
  }
  if (argc < 2) {
    fmt::print(stderr, "usage: forward_ceiling [--precision fp32|bf16] MODEL [BATCH] [IMAGES] [THREADS] [DETECTOR [LIST]]\n");
    return 2;
  }
  const int batch = argc > 2 ? std::atoi(argv[2]) : 4;
  const int images = argc > 3 ? std::atoi(argv[3]) : 400;
  whatcar::set_torch_threads(argc > 4 ? std::atoi(argv[4]) : 0);
  whatcar::reserve_tensor_memory(1);
  whatcar::Model model = whatcar::Model::load(argv[1], precision);
  std::optional<whatcar::Detector> detector;
  std::vector<torch::Tensor> detector_input;
  if (argc > 5) {
    detector = whatcar::Detector::load(argv[5]);
    detector_input = detector_inputs(*detector, argc > 6 ? argv[6] : nullptr);
  }
  const int s = model.input_size();
  const torch::Tensor input = torch::rand({batch, 3, s, s});
  const auto detect = [&](const torch::Tensor& x) {
    detector->detect(x.data_ptr<float>(), static_cast<int>(x.size(2)), static_cast<int>(x.size(1)));
  };
  size_t next = 0;
  const auto forward = [&] {
    if (detector) {
      for (int i = 0; i < batch; ++i) detect(detector_input[next++ % detector_input.size()]);
    }
    model.logits(input);
  };
  // Warm-up: oneDNN builds its kernels on the first call with each input shape.
  std::set<const void*> warm;
  for (const torch::Tensor& x : detector_input) {
    if (warm.insert(x.data_ptr()).second) detect(x);
  }
  model.logits(input);
  const auto start = std::chrono::steady_clock::now();
  int done = 0;
  for (; done < images; done += batch) forward();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:.2f}\n", done / seconds);
  return 0;
}
