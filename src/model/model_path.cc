#include "model/model_path.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "util/error.h"

namespace fs = std::filesystem;

namespace whatcar {

std::vector<std::string> default_model_candidates(const std::string& file_name) {
  std::vector<std::string> out;
  const fs::path exe = executable_dir();
  out.push_back((exe / "models" / file_name).string());
  out.push_back((exe.parent_path() / "share" / "whatcar" / "models" / file_name).lexically_normal().string());
  out.push_back((fs::path(WHATCAR_SOURCE_MODELS_DIR) / file_name).string());
  return out;
}

namespace {

std::string resolve(const std::string& explicit_path, const char* env_name, const std::string& file_name,
                    const std::string& what, const std::string& hint) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv(env_name); env && *env) return env;  // named, so no fallback
  const auto candidates = default_model_candidates(file_name);
  std::error_code ec;
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c;
  }
  throw ModelError(file_name, fmt::format("no {} found (looked in {}); {}", what, fmt::join(candidates, ", "), hint));
}

}  // namespace

std::string resolve_model_path(const std::string& explicit_path) {
  return resolve(explicit_path, "WHATCAR_MODEL", kModelFileName, "model", "pass --model PATH");
}

std::string resolve_detector_path(const std::string& explicit_path) {
  return resolve(explicit_path, "WHATCAR_DETECTOR", kDetectorFileName, "detector",
                 "pass --detector PATH, or --no-detect to classify whole images");
}

}  // namespace whatcar
