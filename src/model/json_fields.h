// Typed, validated access to the JSON metadata inside model files, with errors that name the
// file and the field; shared by the classifier's and the detector's metadata.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "image/preprocess.h"

namespace whatcar {

using Json = nlohmann::ordered_json;

inline constexpr int kMaxInputSize = 4096;

class Fields {
 public:
  // Throws ModelError unless `object` is a JSON object; `where` names it in messages.
  Fields(std::string path, const Json& object, std::string where);

  const Json& at(const std::string& key) const;
  bool has(const std::string& key) const { return object_.contains(key); }
  std::string str(const std::string& key, bool allow_empty = false) const;
  double number(const std::string& key) const;
  double fraction(const std::string& key) const;  // a number in [0, 1]
  int whole(const std::string& key, int min, int max) const;
  std::vector<float> floats(const std::string& key, size_t n = 0) const;
  const Json& list(const std::string& key) const;
  uint64_t seed(const std::string& key) const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string path_;
  const Json& object_;
  std::string where_;
};

// The JSON text of an extra file: parsed, or ModelError naming the file it came from.
Json parse_json(const std::string& path, const std::string& file_name, const std::string& text);

PreprocessConfig parse_preprocess(const Fields& f);

// The "info" object as (key, text) pairs in file order; empty when absent.
std::vector<std::pair<std::string, std::string>> parse_info(const Fields& top);

}  // namespace whatcar
