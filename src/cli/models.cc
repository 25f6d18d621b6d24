#include "cli/models.h"

#include <algorithm>
#include <thread>

#include "model/model_path.h"

namespace whatcar {

Networks load_networks(const ModelOptions& opts) {
  Networks n{Model::load(resolve_model_path(opts.model), opts.precision), std::nullopt};
  if (!opts.no_detect) n.detector = Detector::load(resolve_detector_path(opts.detector));
  return n;
}

void prepare_workers(const ModelOptions& opts, size_t workers) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  set_torch_threads(opts.threads > 0 ? opts.threads : static_cast<int>(std::max<size_t>(1, cores / workers)));
  reserve_tensor_memory(workers);
}

}  // namespace whatcar
