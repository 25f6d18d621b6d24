// The metadata a whatcar model file carries beside its weights (torch.jit.save extra files):
// labels, preprocessing, identity, metrics and the verification probes. Nothing about a
// model is hard-coded in C++; everything comes from here.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "preprocess.h"

namespace whatcar {

// Extra-file names inside the TorchScript archive (written by training/export.py).
inline constexpr const char* kModelInfoFile = "whatcar/model.txt";
inline constexpr const char* kLabelsFile = "whatcar/labels.txt";
inline constexpr const char* kProbesFile = "whatcar/probes.txt";

// A synthetic image regenerated from its seed, and the logits the exporter computed for it.
struct Probe {
  uint64_t seed = 0;
  int width = 0;
  int height = 0;
  std::vector<float> logits;
};

// A real photo (named, found by `verify --images DIR`) and the top-k the exporter computed.
struct ImageProbe {
  std::string file;
  std::vector<int> top;
};

struct ModelMetadata {
  std::string name;
  std::string version;
  std::vector<std::string> labels;
  PreprocessConfig preprocess;
  float min_confidence = 0.0f;  // top-1 probability under which the answer is "no confident match"
  std::vector<std::pair<std::string, std::string>> info;  // every key of model.txt, in file order
  std::vector<Probe> probes;
  std::vector<ImageProbe> image_probes;
};

// Parses and validates; throws ModelError naming `path` with what is missing or wrong.
ModelMetadata parse_metadata(const std::string& path, const std::string& model_txt, const std::string& labels_txt,
                             const std::string& probes_txt);

// The pixels of a probe image: a deterministic function of (seed, width, height) that
// training/export.py computes identically.
Image probe_image(uint64_t seed, int width, int height);

}  // namespace whatcar
