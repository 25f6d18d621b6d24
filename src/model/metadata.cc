#include "model/metadata.h"

#include <fmt/format.h>

#include "model/json_fields.h"
#include "util/error.h"

namespace whatcar {
namespace {

void parse_classes(const std::string& path, const Fields& top, ModelMetadata* m) {
  const Json& classes = top.list("classes");
  if (classes.empty()) top.fail("lists no classes");
  for (size_t i = 0; i < classes.size(); ++i) {
    const Fields c(path, classes[i], fmt::format("class {}", i));
    m->labels.push_back(c.str("label"));
    m->label_parts.push_back({c.str("make"), c.str("model", true), c.str("body", true), c.str("year", true)});
  }
}

References parse_references(const std::string& path, const Fields& top, size_t classes) {
  References r;
  if (top.has("probes")) {
    const Json& probes = top.list("probes");
    for (size_t i = 0; i < probes.size(); ++i) {
      const Fields f(path, probes[i], fmt::format("probe {}", i + 1));
      Probe p;
      p.seed = f.seed("seed");
      p.width = f.whole("width", 1, kMaxInputSize);
      p.height = f.whole("height", 1, kMaxInputSize);
      p.logits = f.floats("logits", classes);
      r.probes.push_back(std::move(p));
    }
  }
  if (top.has("image_probes")) {
    const Json& images = top.list("image_probes");
    for (size_t i = 0; i < images.size(); ++i) {
      const Fields f(path, images[i], fmt::format("image probe {}", i + 1));
      ImageProbe ip;
      ip.file = f.str("file");
      for (const Json& v : f.list("top")) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= static_cast<int64_t>(classes)) {
          f.fail(fmt::format("names a class outside 0..{}", classes - 1));
        }
        ip.top.push_back(v.get<int>());
      }
      if (ip.top.empty()) f.fail("lists no classes");
      r.image_probes.push_back(std::move(ip));
    }
  }
  return r;
}

// "precisions": {"bf16": {"tolerance": T, "probes": [...], "image_probes": [...]}}. Names this
// binary does not know are skipped: a newer exporter may store references for more precisions.
void parse_precisions(const std::string& path, const Fields& top, ModelMetadata* m) {
  if (!top.has("precisions")) return;
  const Json& precisions = top.at("precisions");
  if (!precisions.is_object()) top.fail("'precisions' must be an object");
  for (const auto& [name, value] : precisions.items()) {
    const auto known = precision_names().find(name);
    if (known == precision_names().end()) continue;
    if (known->second == Precision::kFp32) top.fail("'precisions' holds fp32, whose references are the top-level probes");
    const Fields f(path, value, fmt::format("precisions.{}", name));
    References r = parse_references(path, f, m->labels.size());
    r.tolerance = f.number("tolerance");
    if (!(r.tolerance > 0)) f.fail("has a 'tolerance' that is not positive");
    m->references[known->second] = std::move(r);
  }
}

}  // namespace

ModelMetadata parse_metadata(const std::string& path, const std::string& json_text) {
  if (json_text.empty()) throw ModelError(path, fmt::format("not a whatcar model: no {} inside", kMetadataFile));
  const Json doc = parse_json(path, kMetadataFile, json_text);
  const Fields top(path, doc, kMetadataFile);
  ModelMetadata m;
  m.name = top.str("name");
  m.version = top.str("version");
  m.preprocess = parse_preprocess(Fields(path, top.at("preprocess"), "preprocess"));
  // The classifier's crops are batched into one input_size x input_size tensor.
  if (m.preprocess.pad_to != 0) top.fail("has 'pad_to' in 'preprocess': a classifier's input is input_size square");
  if (top.has("min_confidence")) m.min_confidence = static_cast<float>(top.fraction("min_confidence"));
  parse_classes(path, top, &m);
  m.references[Precision::kFp32] = parse_references(path, top, m.labels.size());
  parse_precisions(path, top, &m);
  m.info = parse_info(top);
  return m;
}

Image probe_image(uint64_t seed, int width, int height) {
  Image img;
  img.width = width;
  img.height = height;
  img.rgb.resize(static_cast<size_t>(width) * height * 3);
  uint64_t state = seed;
  size_t i = 0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const uint64_t noise = (state >> 56) >> 2;
        const uint64_t v = static_cast<uint64_t>(x) * 255 / width + static_cast<uint64_t>(y) * 255 / height * (c + 1);
        img.rgb[i++] = static_cast<uint8_t>((v + noise) % 256);
      }
    }
  }
  return img;
}

}  // namespace whatcar
