#include "model/metadata.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace whatcar {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMaxInputSize = 4096;

// Typed access to one JSON object, with errors that name the field.
class Fields {
 public:
  Fields(std::string path, const Json& object, std::string where)
      : path_(std::move(path)), object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("is not an object");
  }

  const Json& at(const std::string& key) const {
    auto it = object_.find(key);
    if (it == object_.end()) fail(fmt::format("lacks '{}'", key));
    return *it;
  }
  bool has(const std::string& key) const { return object_.contains(key); }
  std::string str(const std::string& key, bool allow_empty = false) const {
    const Json& v = at(key);
    if (!v.is_string() || (!allow_empty && v.get_ref<const std::string&>().empty())) {
      fail(fmt::format("'{}' must be a {}string", key, allow_empty ? "" : "non-empty "));
    }
    return v.get<std::string>();
  }
  double number(const std::string& key) const {
    const Json& v = at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>())) fail(fmt::format("'{}' must be a number", key));
    return v.get<double>();
  }
  int whole(const std::string& key, int min, int max) const {
    const double v = number(key);
    if (v < min || v > max || v != std::floor(v)) fail(fmt::format("'{}' must be a whole number in {}..{}", key, min, max));
    return static_cast<int>(v);
  }
  std::vector<float> floats(const std::string& key, size_t n = 0) const {
    const Json& v = at(key);
    if (!v.is_array()) fail(fmt::format("'{}' must be a list of numbers", key));
    std::vector<float> out;
    for (const Json& x : v) {
      if (!x.is_number() || !std::isfinite(x.get<double>())) fail(fmt::format("'{}' has a value that is not a number", key));
      out.push_back(x.get<float>());
    }
    if (n && out.size() != n) fail(fmt::format("'{}' needs {} numbers", key, n));
    return out;
  }
  const Json& list(const std::string& key) const {
    const Json& v = at(key);
    if (!v.is_array()) fail(fmt::format("'{}' must be a list", key));
    return v;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(path_, fmt::format("model metadata: {} {}", where_, what));
  }

 private:
  std::string path_;
  const Json& object_;
  std::string where_;
};

PreprocessConfig parse_preprocess(const Fields& f) {
  PreprocessConfig p;
  p.resize = f.str("resize");
  p.input_size = f.whole("input_size", 1, kMaxInputSize);
  if (p.resize == "shorter-side") {
    p.resize_size = f.whole("resize_size", 1, kMaxInputSize);
    if (p.resize_size < p.input_size) f.fail("'resize_size' is smaller than 'input_size'");
  } else if (p.resize != "squash") {
    f.fail(fmt::format("has an unknown resize policy '{}' (squash, shorter-side)", p.resize));
  }
  p.interpolation = f.str("interpolation");
  if (p.interpolation != "bilinear") f.fail(fmt::format("has an unsupported interpolation '{}' (bilinear)", p.interpolation));
  const auto mean = f.floats("mean", 3), std = f.floats("std", 3);
  for (int c = 0; c < 3; ++c) {
    if (!(std[c] > 0)) f.fail("'std' must be positive");
    p.mean[c] = mean[c];
    p.std[c] = std[c];
  }
  return p;
}

void parse_classes(const std::string& path, const Fields& top, ModelMetadata* m) {
  const Json& classes = top.list("classes");
  if (classes.empty()) top.fail("lists no classes");
  for (size_t i = 0; i < classes.size(); ++i) {
    const Fields c(path, classes[i], fmt::format("class {}", i));
    m->labels.push_back(c.str("label"));
    m->label_parts.push_back({c.str("make"), c.str("model", true), c.str("body", true), c.str("year", true)});
  }
}

void parse_probes(const std::string& path, const Fields& top, ModelMetadata* m) {
  if (top.has("probes")) {
    const Json& probes = top.list("probes");
    for (size_t i = 0; i < probes.size(); ++i) {
      const Fields f(path, probes[i], fmt::format("probe {}", i + 1));
      Probe p;
      if (!f.at("seed").is_number_unsigned()) f.fail("'seed' must be a whole number");
      p.seed = f.at("seed").get<uint64_t>();
      p.width = f.whole("width", 1, kMaxInputSize);
      p.height = f.whole("height", 1, kMaxInputSize);
      p.logits = f.floats("logits", m->labels.size());
      m->probes.push_back(std::move(p));
    }
  }
  if (top.has("image_probes")) {
    const Json& images = top.list("image_probes");
    for (size_t i = 0; i < images.size(); ++i) {
      const Fields f(path, images[i], fmt::format("image probe {}", i + 1));
      ImageProbe ip;
      ip.file = f.str("file");
      const int classes = static_cast<int>(m->labels.size());
      for (const Json& v : f.list("top")) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= classes) {
          f.fail(fmt::format("names a class outside 0..{}", classes - 1));
        }
        ip.top.push_back(v.get<int>());
      }
      if (ip.top.empty()) f.fail("lists no classes");
      m->image_probes.push_back(std::move(ip));
    }
  }
}

}  // namespace

ModelMetadata parse_metadata(const std::string& path, const std::string& json_text) {
  if (json_text.empty()) throw ModelError(path, fmt::format("not a whatcar model: no {} inside", kMetadataFile));
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    throw ModelError(path, fmt::format("model metadata: {} is not valid JSON ({})", kMetadataFile, e.what()));
  }
  const Fields top(path, doc, kMetadataFile);
  ModelMetadata m;
  m.name = top.str("name");
  m.version = top.str("version");
  m.preprocess = parse_preprocess(Fields(path, top.at("preprocess"), "preprocess"));
  if (top.has("min_confidence")) {
    m.min_confidence = static_cast<float>(top.number("min_confidence"));
    if (m.min_confidence < 0 || m.min_confidence > 1) top.fail("'min_confidence' is not in [0,1]");
  }
  parse_classes(path, top, &m);
  parse_probes(path, top, &m);
  if (top.has("info")) {
    if (!top.at("info").is_object()) top.fail("'info' must be an object");
    for (const auto& [key, value] : top.at("info").items()) {
      m.info.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
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
