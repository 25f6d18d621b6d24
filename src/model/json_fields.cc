#include "model/json_fields.h"

#include <fmt/format.h>

#include <cmath>

#include "util/error.h"

namespace whatcar {

Fields::Fields(std::string path, const Json& object, std::string where)
    : path_(std::move(path)), object_(object), where_(std::move(where)) {
  if (!object_.is_object()) fail("is not an object");
}

const Json& Fields::at(const std::string& key) const {
  auto it = object_.find(key);
  if (it == object_.end()) fail(fmt::format("lacks '{}'", key));
  return *it;
}

std::string Fields::str(const std::string& key, bool allow_empty) const {
  const Json& v = at(key);
  if (!v.is_string() || (!allow_empty && v.get_ref<const std::string&>().empty())) {
    fail(fmt::format("'{}' must be a {}string", key, allow_empty ? "" : "non-empty "));
  }
  return v.get<std::string>();
}

double Fields::number(const std::string& key) const {
  const Json& v = at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>())) fail(fmt::format("'{}' must be a number", key));
  return v.get<double>();
}

double Fields::fraction(const std::string& key) const {
  const double v = number(key);
  if (v < 0 || v > 1) fail(fmt::format("'{}' is not in [0,1]", key));
  return v;
}

int Fields::whole(const std::string& key, int min, int max) const {
  const double v = number(key);
  if (v < min || v > max || v != std::floor(v)) fail(fmt::format("'{}' must be a whole number in {}..{}", key, min, max));
  return static_cast<int>(v);
}

std::vector<float> Fields::floats(const std::string& key, size_t n) const {
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

const Json& Fields::list(const std::string& key) const {
  const Json& v = at(key);
  if (!v.is_array()) fail(fmt::format("'{}' must be a list", key));
  return v;
}

uint64_t Fields::seed(const std::string& key) const {
  if (!at(key).is_number_unsigned()) fail(fmt::format("'{}' must be a whole number", key));
  return at(key).get<uint64_t>();
}

void Fields::fail(const std::string& what) const {
  throw ModelError(path_, fmt::format("model metadata: {} {}", where_, what));
}

Json parse_json(const std::string& path, const std::string& file_name, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw ModelError(path, fmt::format("model metadata: {} is not valid JSON ({})", file_name, e.what()));
  }
}

PreprocessConfig parse_preprocess(const Fields& f) {
  PreprocessConfig p;
  p.resize = f.str("resize");
  p.input_size = f.whole("input_size", 1, kMaxInputSize);
  if (p.resize == "shorter-side") {
    p.resize_size = f.whole("resize_size", 1, kMaxInputSize);
    if (p.resize_size < p.input_size) f.fail("'resize_size' is smaller than 'input_size'");
  } else if (p.resize != "squash" && p.resize != "letterbox") {
    f.fail(fmt::format("has an unknown resize policy '{}' (squash, letterbox, shorter-side)", p.resize));
  }
  if (f.has("pad_to")) {
    if (p.resize != "letterbox") f.fail("'pad_to' applies to a letterbox only");
    p.pad_to = f.whole("pad_to", 1, p.input_size);
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

std::vector<std::pair<std::string, std::string>> parse_info(const Fields& top) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!top.has("info")) return out;
  if (!top.at("info").is_object()) top.fail("'info' must be an object");
  for (const auto& [key, value] : top.at("info").items()) {
    out.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

}  // namespace whatcar
