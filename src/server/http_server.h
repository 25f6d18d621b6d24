// The HTTP side of `serve`: routes, request limits and the guards against hostile clients, on
// cpp-httplib (Debian's libcpp-httplib). Recognition itself is the RecognitionPool's.
//
//   GET  /             the upload page (server/page.html)
//   POST /v1/classify  an image as the raw body or a multipart form field; the answer is the
//                      JSON record of `whatcar --format json` for one file
//   GET  /healthz      the models are loaded
//   GET  /metrics      Prometheus text format
//
// Each connection carries one request (no keep-alive) on its own thread, up to
// max_connections; past that a connection gets 503 at once. A request's headers must arrive
// whole, within 16 KiB, inside header_timeout_s, and the whole request inside request_timeout_s; bodies over
// max_body get 413 before they are read.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "server/metrics.h"
#include "server/recognition_pool.h"

namespace whatcar::server {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port)
  size_t max_body = 20 << 20;
  size_t max_connections = 512;
  int header_timeout_s = 10;
  int request_timeout_s = 30;
  bool access_log = true;  // a line per request on stderr
  RequestOptions request_defaults;
};

class HttpServer {
 public:
  HttpServer(ServerOptions opts, RecognitionPool& pool, std::string models_json);
  ~HttpServer();

  // Binds the socket; throws Error when it cannot.
  void bind();
  int port() const;
  // Serves until stop(), then waits for the requests in flight; false if it could not serve.
  bool run();
  // From any thread: stop accepting, close idle connections, let requests in flight finish.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace whatcar::server
