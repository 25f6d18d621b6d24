// Photo in, cars out: the one path from an input to a Result. Every command goes through here;
// none of them decodes, preprocesses or runs a network itself.
//
// Two stages, so that `batch` can decode on worker threads and run the network on batches:
//   prepare(): read, decode, orient and preprocess one photo; thread-safe;
//   finish(): one forward pass over a batch of prepared photos, and their results.
// recognize() runs both for one photo.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/image.h"
#include "model/model.h"
#include "pipeline/result.h"

namespace whatcar {

struct RecognizeOptions {
  int top_k = 5;
  std::optional<double> min_confidence;  // default: the model's
  uint64_t max_pixels = kDefaultMaxPixels;
  bool full_decode = false;  // no reduced-size JPEG decoding
  bool timings = false;      // attach Timings to each Result
};

// A photo ready for the network, or why it is not.
struct Prepared {
  std::string path;
  Box box;                    // what the classifier sees, in the photo's upright pixels
  std::vector<float> input;   // the classifier's input, 3 x S x S; empty on error
  std::optional<std::string> error;
  Timings timings;

  static Prepared failed(std::string path, std::string error) {
    Prepared p;
    p.path = std::move(path);
    p.error = std::move(error);
    return p;
  }
};

class Recognizer {
 public:
  Recognizer(Model& classifier, RecognizeOptions opts);

  const Model& classifier() const { return classifier_; }
  double min_confidence() const { return min_confidence_; }

  // Never throws for a bad input: the error is in the result.
  Prepared prepare(const std::string& path) const;
  Prepared prepare(const Image& image, std::string name) const;

  // Results in the order given; inputs that failed to prepare keep their error.
  std::vector<Result> finish(const std::vector<Prepared>& batch);

  Result recognize(const std::string& path);

  // The classifier's logits (one row per prepared photo without an error), for `verify`,
  // which compares them with those the exporter stored.
  torch::Tensor logits(const std::vector<Prepared>& batch);

 private:
  Model& classifier_;
  RecognizeOptions opts_;
  double min_confidence_;
  int min_short_side_;  // 0: decode at full size
};

}  // namespace whatcar
