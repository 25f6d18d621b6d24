#include "pipeline/recognizer.h"

#include <algorithm>
#include <functional>
#include <new>

#include "image/preprocess.h"
#include "pipeline/detect.h"
#include "pipeline/predict.h"
#include "util/error.h"
#include "util/stopwatch.h"

namespace whatcar {
namespace {

// The shorter side a JPEG may be decoded at: enough for the classifier's resize and, when
// detecting, for the detector's input.
int decode_short_side(const Model& classifier, const Detector* detector, bool full_decode) {
  if (full_decode) return 0;
  const int classifier_side = min_decode_short_side(classifier.metadata().preprocess);
  return detector ? std::max(classifier_side, detector->input_size()) : classifier_side;
}

size_t input_floats(std::pair<int, int> dims) { return 3 * static_cast<size_t>(dims.first) * dims.second; }

}  // namespace

Recognizer::Recognizer(Model& classifier, Detector* detector, RecognizeOptions opts)
    : classifier_(classifier),
      detector_(detector),
      opts_(opts),
      min_confidence_(opts.min_confidence.value_or(classifier.metadata().min_confidence)),
      car_thresholds_{detector ? opts.min_score.value_or(detector->metadata().score_threshold) : 0,
                      detector ? opts.min_box_area.value_or(detector->metadata().min_box_area) : 0},
      min_short_side_(decode_short_side(classifier, detector, opts.full_decode)) {}

Prepared Recognizer::prepare(Image image, std::string name) const {
  Prepared p;
  p.path = std::move(name);
  Stopwatch clock;
  p.box = {0, 0, static_cast<double>(image.file_width ? image.file_width : image.width),
           static_cast<double>(image.file_height ? image.file_height : image.height)};
  const PreprocessConfig& cfg = detector_ ? detector_->metadata().preprocess : classifier_.metadata().preprocess;
  p.input.resize(input_floats(input_dims(cfg, image.width, image.height)));
  preprocess_into(image, cfg, p.input.data());
  p.timings.preprocess_ms = clock.lap_ms();
  p.timings.decode_scale = image.scale;
  if (detector_) p.image = std::move(image);
  return p;
}

Prepared Recognizer::prepare_decoded(const std::string& name, const std::function<Image()>& decode) const {
  try {
    Stopwatch clock;
    Image image = decode();
    const double decode_ms = clock.lap_ms();
    Prepared p = prepare(std::move(image), name);
    p.timings.decode_ms = decode_ms;
    return p;
  } catch (const InputError& e) {
    return Prepared::failed(name, e.what());
  } catch (const std::bad_alloc&) {
    return Prepared::failed(name, "out of memory decoding this image");
  }
}

Prepared Recognizer::prepare(const std::string& path) const {
  return prepare_decoded(path, [&] { return load_image(path, {opts_.max_pixels, opts_.max_bytes}, min_short_side_); });
}

Prepared Recognizer::prepare_bytes(const std::vector<uint8_t>& bytes, const std::string& name) const {
  return prepare_decoded(name, [&] { return decode_image(bytes, name, opts_.max_pixels, min_short_side_); });
}

torch::Tensor Recognizer::classify(const std::vector<float>& inputs) {
  const int s = classifier_.input_size();
  const auto n = static_cast<int64_t>(inputs.size() / input_floats({s, s}));
  torch::Tensor batch = torch::empty({n, 3, s, s}, torch::kFloat32);
  std::copy(inputs.begin(), inputs.end(), batch.data_ptr<float>());
  return classifier_.logits(batch);
}

torch::Tensor Recognizer::logits(const std::vector<Prepared>& batch) {
  std::vector<float> inputs;
  for (const auto& p : batch) {
    if (!p.error) inputs.insert(inputs.end(), p.input.begin(), p.input.end());
  }
  return classify(inputs);
}

std::vector<Car> Recognizer::detect(const Prepared& p, std::vector<float>* inputs) {
  const Image& image = p.image;
  const auto [w, h] = input_dims(detector_->metadata().preprocess, image.width, image.height);
  std::vector<Detection> found =
      vehicles(detector_->detect(p.input.data(), w, h), detector_->metadata(), car_thresholds_, image.width, image.height);
  if (!opts_.all_cars && found.size() > 1) found.resize(1);
  // Boxes are reported in the file's upright pixels, also when it was decoded at reduced size.
  const double fx = p.box.x2 / image.width, fy = p.box.y2 / image.height;
  const PreprocessConfig& cfg = classifier_.metadata().preprocess;
  std::vector<Car> cars;
  for (const Detection& d : found) {
    const Box r = crop_region(d.box, opts_.crop_margin, image.width, image.height);
    const Image region = crop(image, static_cast<int>(r.x1), static_cast<int>(r.y1), static_cast<int>(r.x2 - r.x1),
                              static_cast<int>(r.y2 - r.y1));
    const size_t offset = inputs->size();
    inputs->resize(offset + input_floats({cfg.input_size, cfg.input_size}));
    preprocess_into(region, cfg, inputs->data() + offset);
    Car car;
    car.box = {d.box.x1 * fx, d.box.y1 * fy, d.box.x2 * fx, d.box.y2 * fy};
    car.score = d.score;
    cars.push_back(std::move(car));
  }
  return cars;
}

std::vector<Result> Recognizer::finish(const std::vector<Prepared>& batch) {
  std::vector<Result> out(batch.size());
  std::vector<float> inputs;
  std::vector<double> detect_ms(batch.size());
  Stopwatch clock;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Prepared& p = batch[i];
    out[i].path = p.path;
    if (p.error) {
      out[i].error = p.error;
    } else if (detector_) {
      out[i].cars = detect(p, &inputs);
      detect_ms[i] = clock.lap_ms();
    } else {
      inputs.insert(inputs.end(), p.input.begin(), p.input.end());
      Car whole;
      whole.box = p.box;
      out[i].cars.push_back(std::move(whole));
    }
  }
  clock.lap_ms();
  const torch::Tensor logits = inputs.empty() ? torch::Tensor() : classify(inputs);
  const double inference_ms = clock.lap_ms();
  int64_t row = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    Result& r = out[i];
    for (Car& car : r.cars) {
      Car named = car_from_logits(logits[row++].data_ptr<float>(), classifier_.metadata(), opts_.top_k, min_confidence_);
      named.box = car.box;
      named.score = car.score;
      car = std::move(named);
    }
    if (opts_.timings && !r.error) {
      Timings t = batch[i].timings;
      t.detect_ms = detect_ms[i];
      t.inference_ms = inference_ms;
      t.total_ms = t.decode_ms + t.preprocess_ms + t.detect_ms + t.inference_ms;
      r.timings = t;
    }
  }
  return out;
}

Result Recognizer::recognize(const std::string& path) { return finish_one(prepare(path)); }

Result Recognizer::recognize_bytes(const std::vector<uint8_t>& bytes, const std::string& name) {
  return finish_one(prepare_bytes(bytes, name));
}

Result Recognizer::finish_one(Prepared p) {
  // Moved in: a braced list would copy the prepared input (600 KB at 224x224) on every photo.
  std::vector<Prepared> one;
  one.push_back(std::move(p));
  return finish(one).front();
}

}  // namespace whatcar
