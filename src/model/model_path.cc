#include "model/model_path.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "util/error.h"

namespace fs = std::filesystem;

namespace whatcar {

std::string executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::vector<std::string> default_model_candidates() {
  std::vector<std::string> out;
  const fs::path exe = executable_dir();
  out.push_back((exe / "models" / kModelFileName).string());
  out.push_back((exe.parent_path() / "share" / "whatcar" / "models" / kModelFileName).lexically_normal().string());
  out.push_back((fs::path(WHATCAR_SOURCE_MODELS_DIR) / kModelFileName).string());
  return out;
}

std::string resolve_model_path(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("WHATCAR_MODEL"); env && *env) return env;  // named, so no fallback
  const auto candidates = default_model_candidates();
  std::error_code ec;
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c;
  }
  throw ModelError(kModelFileName, fmt::format("no model found (looked in {}); pass --model PATH",
                                               fmt::join(candidates, ", ")));
}

}  // namespace whatcar
