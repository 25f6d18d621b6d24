// The object detector that finds cars before the classifier names them: a TorchScript file
// (training/convert_detector.py) whose metadata says how to feed it and how to read its output.
#pragma once

#include <torch/csrc/jit/mobile/module.h>
#include <torch/torch.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "image/preprocess.h"

namespace whatcar {

inline constexpr const char* kDetectorMetadataFile = "whatcar/detector.json";

// One output row: x1, y1, x2, y2 in the detector's input pixels, score, class index.
using DetectionRow = std::array<float, 6>;

// A synthetic image (probe_image of model/metadata.h) or a named real photo, and the first
// rows the exporter's network gave for it.
struct DetectorProbe {
  uint64_t seed = 0;
  int width = 0;
  int height = 0;
  std::string file;  // set for real photos, which `verify --images` finds
  std::vector<DetectionRow> rows;
};

struct DetectorMetadata {
  std::string name;
  std::string version;
  PreprocessConfig preprocess;  // the whole image: squash or letterbox (input_dims())
  std::vector<std::string> classes;
  std::vector<int> vehicle_classes;  // indices into classes that count as a car
  float score_threshold = 0.0f;
  float nms_iou = 0.5f;
  // Boxes covering less of the photo than this are not cars (0 when the file does not say).
  float min_box_area = 0.0f;
  std::vector<DetectorProbe> probes;
  std::vector<DetectorProbe> image_probes;
  std::vector<std::pair<std::string, std::string>> info;
};

// Parses and validates the text of kDetectorMetadataFile; throws ModelError naming `path`.
DetectorMetadata parse_detector_metadata(const std::string& path, const std::string& json_text);

class Detector {
 public:
  // Throws ModelError: not a loadable TorchScript file, or not a whatcar detector.
  static Detector load(const std::string& path);

  const std::string& path() const { return path_; }
  const DetectorMetadata& metadata() const { return meta_; }
  int input_size() const { return meta_.preprocess.input_size; }

  // One preprocessed image (3 x height x width, from input_dims()) to its output rows, best
  // score first. Throws ModelError when the output is not rows of six numbers.
  std::vector<DetectionRow> detect(const float* input, int width, int height);

 private:
  Detector(std::string path, torch::jit::mobile::Module module, DetectorMetadata meta)
      : path_(std::move(path)), module_(std::move(module)), meta_(std::move(meta)) {}

  std::string path_;
  torch::jit::mobile::Module module_;
  DetectorMetadata meta_;
};

}  // namespace whatcar
