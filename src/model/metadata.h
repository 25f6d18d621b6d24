// The metadata a whatcar model file carries beside its weights (one JSON extra file that
// training/export.py writes): labels and their parts, preprocessing, identity, metrics and the
// verification probes. Nothing about a model is hard-coded in C++; everything comes from here.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "image/preprocess.h"
#include "model/precision.h"

namespace whatcar {

// The extra file inside the TorchScript archive, and the text files of the format before it.
inline constexpr const char* kMetadataFile = "whatcar/model.json";
inline constexpr const char* kLegacyMetadataFile = "whatcar/model.txt";

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

// What the network must reproduce in one precision: the synthetic probes' logits within
// `tolerance`, and the top classes of a few real photos.
struct References {
  std::vector<Probe> probes;
  std::vector<ImageProbe> image_probes;
  double tolerance = 0;  // 0: verify's --tolerance, as fp32's references carry none
};

// A class name split into its parts ("Crew Cab" is a body); body and year may be empty.
struct LabelParts {
  std::string make;
  std::string model;
  std::string body;
  std::string year;
};

struct ModelMetadata {
  std::string name;
  std::string version;
  std::vector<std::string> labels;
  std::vector<LabelParts> label_parts;  // one per label
  PreprocessConfig preprocess;
  float min_confidence = 0.0f;  // top-1 probability under which the answer is "no confident match"
  std::vector<std::pair<std::string, std::string>> info;  // the model card fields, in file order
  // fp32's always (its probes may be empty); other precisions' where the exporter stored them,
  // each with its own tolerance: bf16's logits differ between CPUs by up to 0.2, fp32's by 1e-5.
  std::map<Precision, References> references;
};

// Parses and validates the text of kMetadataFile; throws ModelError naming `path` with what is
// missing or wrong.
ModelMetadata parse_metadata(const std::string& path, const std::string& json_text);

// The pixels of a probe image: a deterministic function of (seed, width, height) that
// training/export.py computes identically.
Image probe_image(uint64_t seed, int width, int height);

}  // namespace whatcar
