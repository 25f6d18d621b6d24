#include "cli/serve.h"

#include <fmt/format.h>
#include <poll.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/recognition_pool.h"
#include "util/error.h"
#include "util/interrupt.h"

namespace whatcar {
namespace {

// What GET /healthz answers once the models are loaded.
std::string models_json(const Networks& n, size_t workers) {
  nlohmann::ordered_json j;
  j["status"] = "ok";
  const ModelMetadata& m = n.classifier.metadata();
  j["classifier"] = {{"name", m.name}, {"version", m.version}, {"classes", m.labels.size()}};
  j["detector"] = nullptr;
  if (n.detector) {
    const DetectorMetadata& d = n.detector->metadata();
    j["detector"] = {{"name", d.name}, {"version", d.version}};
  }
  j["workers"] = workers;
  return j.dump();
}

}  // namespace

int run_serve(const ServeOptions& opts) {
  if (opts.recognize.top_k < 1) throw UsageError("--top must be at least 1");
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = opts.workers > 0 ? static_cast<size_t>(opts.workers) : cores;
  const size_t queue = opts.queue > 0 ? static_cast<size_t>(opts.queue) : kQueuePerWorker * workers;
  prepare_workers(opts.model, workers);
  Networks networks = load_networks(opts.model);

  server::ServerOptions so = opts.server;
  so.access_log = !opts.quiet;
  so.request_defaults = {opts.recognize.top_k, opts.recognize.all_cars, opts.model.no_detect};
  server::RecognitionPool pool(networks.classifier, networks.detector_or_null(), opts.recognize, workers, queue);
  server::HttpServer http(so, pool, models_json(networks, workers));
  http.bind();
  // Requests in flight get the time a client may take to send one, and a little more.
  interrupt::set_grace(std::chrono::seconds(so.request_timeout_s + 5));

  std::atomic<bool> listening{true};
  bool served = false;
  std::thread listener([&] {
    served = http.run();
    listening = false;
  });
  // Also with -q: the one line that says where (and, with --port 0, which port).
  fmt::print(stderr, "whatcar: serving http://{}:{}/ ({} worker{}{}); Ctrl-C to stop\n",
             so.bind.find(':') != std::string::npos ? "[" + so.bind + "]" : so.bind, http.port(), workers,
             workers == 1 ? "" : "s", networks.detector ? "" : ", no detector");
  pollfd wake{interrupt::wake_fd(), POLLIN, 0};
  while (listening && !interrupt::requested()) ::poll(&wake, 1, 200);
  if (interrupt::requested()) fmt::print(stderr, "whatcar: stopping; finishing the requests in flight\n");
  http.stop();
  listener.join();
  if (!served) throw Error("serve", "the server stopped accepting connections", kExitUsage);
  return kExitOk;
}

}  // namespace whatcar
