#include "cli/version_info.h"

#include <fmt/format.h>

#include <tuple>

#include "model/detector.h"
#include "model/model.h"
#include "model/model_path.h"
#include "util/error.h"
#include "util/sha256.h"
#include "version.h"

namespace whatcar {
namespace {

// "<kind> <name> <version>", its file and sha256, or why it cannot be loaded; `load` finds and
// loads the model and returns (file, name, version).
template <class Load>
std::string describe(const char* kind, Load load) {
  try {
    const auto [path, name, version] = load();
    return fmt::format("{0} {1} {2}\n{0} file {3}\n{0} sha256 {4}\n", kind, name, version, path, sha256_file(path));
  } catch (const Error& e) {
    return fmt::format("{}: {}: {}\n", kind, e.subject(), e.what());
  }
}

}  // namespace

std::string version_report() {
  std::string out = fmt::format("whatcar {}", WHATCAR_VERSION);
  if (*WHATCAR_GIT_COMMIT) out += fmt::format(" (git {})", WHATCAR_GIT_COMMIT);
  out += fmt::format("\nlibtorch {}\n", torch_version());
  out += describe("model", [] {
    const std::string path = resolve_model_path("");
    const ModelMetadata m = Model::load(path).metadata();
    return std::tuple{path, m.name, m.version};
  });
  out += describe("detector", [] {
    const std::string path = resolve_detector_path("");
    const DetectorMetadata m = Detector::load(path).metadata();
    return std::tuple{path, m.name, m.version};
  });
  return out;
}

}  // namespace whatcar
