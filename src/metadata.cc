#include "metadata.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "error.h"

namespace whatcar {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<float> parse_floats(const std::string& path, const std::string& what, const std::string& text) {
  std::vector<float> out;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    float v = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(v)) {
      throw ModelError(path, fmt::format("model metadata: {} has a bad number '{}'", what, token));
    }
    out.push_back(v);
  }
  return out;
}

class Fields {
 public:
  Fields(std::string path, const std::string& text) : path_(std::move(path)) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (trim(line).empty() || trim(line)[0] == '#') continue;
      const auto colon = line.find(':');
      if (colon == std::string::npos) throw ModelError(path_, fmt::format("model metadata: bad line '{}'", line));
      map_[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
      order_.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
  }
  std::string str(const std::string& key) const {
    auto it = map_.find(key);
    if (it == map_.end() || it->second.empty()) {
      throw ModelError(path_, fmt::format("model metadata lacks '{}' (in {})", key, kModelInfoFile));
    }
    return it->second;
  }
  std::vector<float> floats(const std::string& key, size_t n) const {
    auto v = parse_floats(path_, key, str(key));
    if (v.size() != n) throw ModelError(path_, fmt::format("model metadata: {} needs {} numbers", key, n));
    return v;
  }
  int positive_int(const std::string& key, int max) const {
    const float v = floats(key, 1)[0];
    if (v < 1 || v > max || v != std::floor(v)) {
      throw ModelError(path_, fmt::format("model metadata: {} must be a whole number in 1..{}", key, max));
    }
    return static_cast<int>(v);
  }
  bool has(const std::string& key) const { return map_.count(key) > 0; }
  const std::vector<std::pair<std::string, std::string>>& order() const { return order_; }

 private:
  std::string path_;
  std::map<std::string, std::string> map_;
  std::vector<std::pair<std::string, std::string>> order_;
};

constexpr int kMaxInputSize = 4096;

PreprocessConfig parse_preprocess(const std::string& path, const Fields& f) {
  PreprocessConfig p;
  p.resize = f.str("resize");
  p.input_size = f.positive_int("input_size", kMaxInputSize);
  if (p.resize == "shorter-side") {
    p.resize_size = f.positive_int("resize_size", kMaxInputSize);
    if (p.resize_size < p.input_size) throw ModelError(path, "model metadata: resize_size is smaller than input_size");
  } else if (p.resize != "squash") {
    throw ModelError(path, fmt::format("model metadata: unknown resize policy '{}' (squash, shorter-side)", p.resize));
  }
  p.interpolation = f.str("interpolation");
  if (p.interpolation != "bilinear") {
    throw ModelError(path, fmt::format("model metadata: unsupported interpolation '{}' (bilinear)", p.interpolation));
  }
  auto mean = f.floats("mean", 3), std = f.floats("std", 3);
  for (int c = 0; c < 3; ++c) {
    if (!(std[c] > 0)) throw ModelError(path, "model metadata: std must be positive");
    p.mean[c] = mean[c];
    p.std[c] = std[c];
  }
  return p;
}

// Pairs of lines "probe SEED WIDTH HEIGHT" + the logits, and single lines "image NAME I1 .. Ik".
void parse_probes(const std::string& path, const std::string& text, ModelMetadata* m) {
  std::istringstream in(text);
  std::string header, logits;
  while (std::getline(in, header)) {
    if (trim(header).empty()) continue;
    std::istringstream h(header);
    std::string word;
    if (header.rfind("image ", 0) == 0) {
      ImageProbe ip;
      h >> word >> ip.file;
      for (int index; h >> index;) ip.top.push_back(index);
      if (ip.file.empty() || ip.top.empty() || !h.eof()) {
        throw ModelError(path, fmt::format("model metadata: bad image probe line '{}' in {}", header, kProbesFile));
      }
      m->image_probes.push_back(std::move(ip));
      continue;
    }
    Probe p;
    if (!(h >> word >> p.seed >> p.width >> p.height) || word != "probe" || p.width < 1 || p.height < 1 ||
        p.width > kMaxInputSize || p.height > kMaxInputSize || !std::getline(in, logits)) {
      throw ModelError(path, fmt::format("model metadata: bad probe line '{}' in {}", header, kProbesFile));
    }
    p.logits = parse_floats(path, "probe logits", logits);
    m->probes.push_back(std::move(p));
  }
}

}  // namespace

ModelMetadata parse_metadata(const std::string& path, const std::string& model_txt, const std::string& labels_txt,
                             const std::string& probes_txt) {
  if (model_txt.empty()) throw ModelError(path, fmt::format("not a whatcar model: no {} inside", kModelInfoFile));
  Fields f(path, model_txt);
  ModelMetadata m;
  m.name = f.str("name");
  m.version = f.str("version");
  m.preprocess = parse_preprocess(path, f);
  if (f.has("min_confidence")) {
    m.min_confidence = f.floats("min_confidence", 1)[0];
    if (m.min_confidence < 0 || m.min_confidence > 1) throw ModelError(path, "model metadata: min_confidence not in [0,1]");
  }
  m.info = f.order();
  std::istringstream labels(labels_txt);
  for (std::string line; std::getline(labels, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw ModelError(path, fmt::format("model metadata: empty label on line {}", m.labels.size() + 1));
    m.labels.push_back(line);
  }
  if (m.labels.empty()) throw ModelError(path, fmt::format("model metadata lacks labels ({})", kLabelsFile));
  parse_probes(path, probes_txt, &m);
  for (const auto& p : m.probes) {
    if (p.logits.size() != m.labels.size()) {
      throw ModelError(path, fmt::format("model metadata: a probe has {} logits for {} labels", p.logits.size(),
                                         m.labels.size()));
    }
  }
  for (const auto& ip : m.image_probes) {
    for (int index : ip.top) {
      if (index < 0 || index >= static_cast<int>(m.labels.size())) {
        throw ModelError(path, fmt::format("model metadata: image probe {} names class {} of {}", ip.file, index,
                                           m.labels.size()));
      }
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
