#include "cli/models.h"

#include "model/model_path.h"

namespace whatcar {

Networks load_networks(const ModelOptions& opts) {
  Networks n{Model::load(resolve_model_path(opts.model)), std::nullopt};
  if (!opts.no_detect) n.detector = Detector::load(resolve_detector_path(opts.detector));
  return n;
}

}  // namespace whatcar
