#include "pipeline/recognizer.h"

#include <algorithm>
#include <new>

#include "image/preprocess.h"
#include "pipeline/predict.h"
#include "util/error.h"
#include "util/stopwatch.h"

namespace whatcar {

Recognizer::Recognizer(Model& classifier, RecognizeOptions opts)
    : classifier_(classifier),
      opts_(opts),
      min_confidence_(opts.min_confidence.value_or(classifier.metadata().min_confidence)),
      min_short_side_(opts.full_decode ? 0 : min_decode_short_side(classifier.metadata().preprocess)) {}

Prepared Recognizer::prepare(const Image& image, std::string name) const {
  Prepared p;
  p.path = std::move(name);
  Stopwatch clock;
  const auto& cfg = classifier_.metadata().preprocess;
  p.box = {0, 0, static_cast<double>(image.file_width ? image.file_width : image.width),
           static_cast<double>(image.file_height ? image.file_height : image.height)};
  p.input.resize(3 * static_cast<size_t>(cfg.input_size) * cfg.input_size);
  preprocess_into(image, cfg, p.input.data());
  p.timings.preprocess_ms = clock.lap_ms();
  p.timings.decode_scale = image.scale;
  return p;
}

Prepared Recognizer::prepare(const std::string& path) const {
  try {
    Stopwatch clock;
    const Image image = load_image(path, opts_.max_pixels, min_short_side_);
    const double decode_ms = clock.lap_ms();
    Prepared p = prepare(image, path);
    p.timings.decode_ms = decode_ms;
    return p;
  } catch (const InputError& e) {
    return Prepared::failed(path, e.what());
  } catch (const std::bad_alloc&) {
    return Prepared::failed(path, "out of memory decoding this image");
  }
}

torch::Tensor Recognizer::logits(const std::vector<Prepared>& batch) {
  const int64_t s = classifier_.input_size();
  int64_t n = 0;
  for (const auto& p : batch) n += !p.error;
  torch::Tensor input = torch::empty({n, 3, s, s}, torch::kFloat32);
  int64_t j = 0;
  for (const auto& p : batch) {
    if (!p.error) std::copy(p.input.begin(), p.input.end(), input[j++].data_ptr<float>());
  }
  return classifier_.logits(input);
}

std::vector<Result> Recognizer::finish(const std::vector<Prepared>& batch) {
  std::vector<Result> out(batch.size());
  Stopwatch clock;
  torch::Tensor logits;
  const bool any = std::any_of(batch.begin(), batch.end(), [](const Prepared& p) { return !p.error; });
  if (any) logits = this->logits(batch);
  const double inference_ms = clock.lap_ms();
  for (size_t i = 0, j = 0; i < batch.size(); ++i) {
    const Prepared& p = batch[i];
    Result& r = out[i];
    r.path = p.path;
    if (p.error) {
      r.error = p.error;
      continue;
    }
    Car car = car_from_logits(logits[static_cast<int64_t>(j++)].data_ptr<float>(), classifier_.metadata(),
                              opts_.top_k, min_confidence_);
    car.box = p.box;
    r.cars.push_back(std::move(car));
    if (opts_.timings) {
      Timings t = p.timings;
      t.inference_ms = inference_ms;
      t.total_ms = t.decode_ms + t.preprocess_ms + t.inference_ms;
      r.timings = t;
    }
  }
  return out;
}

Result Recognizer::recognize(const std::string& path) {
  // Moved in: a braced list would copy the prepared input (600 KB at 224x224) on every photo.
  std::vector<Prepared> one;
  one.push_back(prepare(path));
  return finish(one).front();
}

}  // namespace whatcar
