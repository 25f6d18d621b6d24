// `whatcar serve`: the photo-upload service (server/http_server.h) with the models loaded once.
#pragma once

#include "cli/models.h"
#include "pipeline/recognizer.h"
#include "server/http_server.h"

namespace whatcar {

// Enough waiting room for 16 clients at once on 2 cores (bench/serve_load.sh) while a full
// queue still answers 503 within seconds rather than let clients wait a minute.
inline constexpr int kQueuePerWorker = 16;

struct ServeOptions {
  ModelOptions model;
  RecognizeOptions recognize;  // server-wide; top-k, all-cars and no-detect are also per request
  server::ServerOptions server;
  int workers = 0;  // threads running the networks; 0: one per core
  int queue = 0;    // photos that may wait for a worker; 0: kQueuePerWorker per worker
  bool quiet = false;
};

// Serves until SIGINT or SIGTERM, then lets the requests in flight finish and returns 0.
// Throws Error when the models cannot be loaded or the address cannot be bound.
int run_serve(const ServeOptions& opts);

}  // namespace whatcar
