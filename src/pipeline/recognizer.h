// Photo in, cars out: the one path from an input to a Result. Every command goes through here;
// none of them decodes, preprocesses or runs a network itself.
//
// With a detector: decode, orient, detect, crop each car with a margin, classify the crops.
// Without (--no-detect): the whole image is the one car.
//
// Two stages, so that `batch` can decode on worker threads and run the networks on batches:
//   prepare(): read, decode, orient and preprocess one photo for the first network; thread-safe;
//   finish(): detection, crops and one classifier pass over a batch of prepared photos.
// recognize() runs both for one photo.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "image/image.h"
#include "model/detector.h"
#include "model/model.h"
#include "pipeline/detect.h"
#include "pipeline/result.h"

namespace whatcar {

// The margin around a detected box that the crops get, as a share of its width and height on
// each side: the classifier was trained on crops with 0-30% context (training/README.md
// measures accuracy against the margin).
inline constexpr double kDefaultCropMargin = 0.1;

struct RecognizeOptions {
  int top_k = 5;
  std::optional<double> min_confidence;  // default: the model's
  std::optional<double> min_score;       // detector score threshold; default: the detector's
  std::optional<double> min_box_area;    // share of the photo a car's box covers at least; default: the detector's
  bool all_cars = false;                 // every car found, not only the main one
  double crop_margin = kDefaultCropMargin;
  uint64_t max_pixels = kDefaultMaxPixels;
  uint64_t max_bytes = kDefaultMaxBytes;
  bool full_decode = false;  // no reduced-size JPEG decoding
  bool timings = false;      // attach Timings to each Result
};

// A photo ready for the first network, or why it is not.
struct Prepared {
  std::string path;
  Box box;                    // the whole photo, in its upright pixels
  std::vector<float> input;   // the first network's input, 3 x S x S; empty on error
  Image image;                // the decoded photo, kept to crop the cars from when detecting
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
  // Without a detector (nullptr) every photo is one car: the whole image.
  Recognizer(Model& classifier, Detector* detector, RecognizeOptions opts);

  const Model& classifier() const { return classifier_; }
  double min_confidence() const { return min_confidence_; }

  // Never throws for a bad input: the error is in the result.
  Prepared prepare(const std::string& path) const;
  Prepared prepare(Image image, std::string name) const;
  // An image file's bytes already in memory (an upload); `name` names it in errors.
  Prepared prepare_bytes(const std::vector<uint8_t>& bytes, const std::string& name) const;

  // Results in the order given; inputs that failed to prepare keep their error.
  std::vector<Result> finish(const std::vector<Prepared>& batch);

  Result recognize(const std::string& path);
  Result recognize_bytes(const std::vector<uint8_t>& bytes, const std::string& name);

  // The classifier's logits (one row per prepared photo without an error), for `verify`,
  // which compares them with those the exporter stored; only without a detector, where the
  // prepared input is the classifier's.
  torch::Tensor logits(const std::vector<Prepared>& batch);

 private:
  // Cars of one prepared photo with their boxes and scores, their crops' classifier inputs
  // appended to `inputs`.
  std::vector<Car> detect(const Prepared& p, std::vector<float>* inputs);
  torch::Tensor classify(const std::vector<float>& inputs);
  Prepared prepare_decoded(const std::string& name, const std::function<Image()>& decode) const;
  Result finish_one(Prepared p);

  Model& classifier_;
  Detector* detector_;
  RecognizeOptions opts_;
  double min_confidence_;
  CarThresholds car_thresholds_;
  int min_short_side_;  // 0: decode at full size
};

}  // namespace whatcar
