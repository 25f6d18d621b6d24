#include "cli/version_info.h"

#include <fmt/format.h>

#include "model/model.h"
#include "model/model_path.h"
#include "util/error.h"
#include "util/sha256.h"
#include "version.h"

namespace whatcar {

std::string version_report() {
  std::string out = fmt::format("whatcar {}", WHATCAR_VERSION);
  if (*WHATCAR_GIT_COMMIT) out += fmt::format(" (git {})", WHATCAR_GIT_COMMIT);
  out += fmt::format("\nlibtorch {}\n", torch_version());
  try {
    const std::string path = resolve_model_path("");
    const Model model = Model::load(path);
    out += fmt::format("model {} {}\nmodel file {}\nmodel sha256 {}\n", model.metadata().name,
                       model.metadata().version, path, sha256_file(path));
  } catch (const Error& e) {
    out += fmt::format("model: {}: {}\n", e.subject(), e.what());
  }
  return out;
}

}  // namespace whatcar
