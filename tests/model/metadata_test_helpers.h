// What the metadata parsers' tests share: editing a JSON text in one place, and the message of
// the ModelError a parse throws.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "util/error.h"

namespace whatcar::test {

// `s` with the first `from` replaced by `to`; a test failure when there is none.
inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// The message of the ModelError that parse(path, json) throws naming `path`; "" when it throws none.
template <class Parse>
std::string model_error(const std::string& path, const std::string& json, Parse parse) {
  try {
    parse(path, json);
  } catch (const ModelError& e) {
    CHECK(e.subject() == path);
    return e.what();
  }
  return "";
}

}  // namespace whatcar::test
