#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "cli/progress.h"

namespace {
std::string contents(std::FILE* f) {
  std::string s(static_cast<size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  REQUIRE(std::fread(s.data(), 1, s.size(), f) == s.size());
  return s;
}
}  // namespace

TEST_CASE("progress shows done/total and percent, or done/? while counting", "[progress]") {
  std::FILE* f = std::tmpfile();
  whatcar::Progress p(f, true);
  p.update(5, 0);
  CHECK(contents(f).find("5/?") != std::string::npos);
  std::fseek(f, 0, SEEK_END);
  p.update(10, 10);  // the last update is always drawn
  CHECK(contents(f).find("10/10 100%") != std::string::npos);
  std::fclose(f);
}

TEST_CASE("disabled progress writes nothing", "[progress]") {
  std::FILE* f = std::tmpfile();
  whatcar::Progress p(f, false);
  p.update(1, 2);
  p.clear();
  CHECK(std::ftell(f) == 0);
  std::fclose(f);
}
