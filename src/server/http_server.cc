#include "server/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "output/writers.h"
#include "server/page.h"
#include "server/request_options.h"
#include "util/error.h"

namespace whatcar::server {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

// cpp-httplib 0.11 reads a header line without bound until its newline (cpp-httplib issue
// #2530): the headers' end must be in the first 16 KiB the client sends, seen before
// httplib reads a byte.
constexpr size_t kMaxHeaderBytes = 16 << 10;
constexpr auto kWriteTimeout = std::chrono::seconds(10);

std::string error_body(const std::string& message) {
  return Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void set_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(error_body(message), "application/json");
}

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

int wait_ms(Clock::time_point deadline, std::chrono::milliseconds cap) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), cap).count());
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r >= 0) return r > 0 && (p.revents & (events | POLLHUP | POLLERR));
    if (errno != EINTR) return false;
  }
}

std::string address_of(int fd, bool peer, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                     : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  char text[INET6_ADDRSTRLEN] = "";
  *port = 0;
  if (r != 0) return "";
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    *port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    *port = ntohs(a->sin6_port);
  }
  return text;
}

// A client socket whose reads give up at one deadline for the whole request, so that a client
// sending a byte now and then cannot hold its connection for ever.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, Clock::time_point read_deadline) : fd_(fd), deadline_(read_deadline) {}

  bool is_readable() const override { return wait_for(fd_, POLLIN, wait_ms(deadline_, std::chrono::hours(1))); }
  bool is_writable() const override {
    return wait_for(fd_, POLLOUT, static_cast<int>(std::chrono::milliseconds(kWriteTimeout).count()));
  }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    ssize_t n;
    do n = ::recv(fd_, ptr, size, 0);
    while (n < 0 && errno == EINTR);
    return n;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = address_of(fd_, true, &port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { ip = address_of(fd_, false, &port); }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  Clock::time_point deadline_;
};

enum class HeaderWait { kReady, kTooLarge, kTimeout, kClosed };

// Waits, without consuming anything, until the client has sent its request line and headers.
HeaderWait await_headers(int fd, Clock::time_point deadline, const std::atomic<bool>& stopping) {
  std::vector<char> buf(kMaxHeaderBytes);
  ssize_t seen = 0;
  while (!stopping) {
    if (Clock::now() >= deadline) return HeaderWait::kTimeout;
    // Short waits, so that stop() closes idle connections promptly.
    if (!wait_for(fd, POLLIN, wait_ms(deadline, std::chrono::milliseconds(100)))) continue;
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return HeaderWait::kClosed;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return HeaderWait::kClosed;
    }
    const std::string_view head(buf.data(), static_cast<size_t>(n));
    if (head.find("\r\n\r\n") != std::string_view::npos || head.find("\n\n") != std::string_view::npos) {
      return HeaderWait::kReady;
    }
    if (static_cast<size_t>(n) == buf.size()) return HeaderWait::kTooLarge;
    // The socket stays readable on what is already queued: wait for more before peeking again.
    if (n == seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    seen = n;
  }
  return HeaderWait::kClosed;
}

// Sends what is left of the response, then reads and drops what the client still sends for a
// moment, so that closing does not reset the connection before the client has read the answer
// (a 413 to a client that keeps sending its body).
void close_gracefully(int fd) {
  ::shutdown(fd, SHUT_WR);
  std::vector<char> sink(64 << 10);
  const auto deadline = Clock::now() + std::chrono::milliseconds(500);
  size_t drained = 0;
  while (drained < (4u << 20) && wait_for(fd, POLLIN, wait_ms(deadline, std::chrono::milliseconds(500)))) {
    const ssize_t n = ::recv(fd, sink.data(), sink.size(), MSG_DONTWAIT);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Set on the listening thread while it turns a connection away; see ConnectionThreads.
thread_local bool t_refuse = false;
// When the connection on this thread was accepted: the access log's and the histogram's clock.
thread_local Clock::time_point t_start;

// One thread per connection, up to a limit; past it the connection is handed back on the
// accepting thread with t_refuse set, to be answered 503 and closed at once. Idle connections
// cost a sleeping thread each, so a few hundred of them never delay a real request.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t max) : max_(max) {}

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_ < max_) {
        ++active_;
        std::thread([this, fn = std::move(fn)] {
          fn();
          std::lock_guard<std::mutex> done(mu_);
          --active_;
          idle_.notify_all();
        }).detach();
        return;
      }
    }
    t_refuse = true;
    fn();
    t_refuse = false;
  }

  // Waits for every connection to end (stop() has made the idle ones give up).
  void shutdown() override {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [&] { return active_ == 0; });
  }

  size_t active() const {
    std::lock_guard<std::mutex> lock(mu_);
    return active_;
  }

 private:
  size_t max_;
  size_t active_ = 0;
  mutable std::mutex mu_;
  std::condition_variable idle_;
};

const std::vector<std::pair<std::string, std::string>> kRoutes{
    {"/", "GET"}, {"/v1/classify", "POST"}, {"/healthz", "GET"}, {"/metrics", "GET"}};

std::string endpoint_of(const std::string& path) {
  for (const auto& [route, method] : kRoutes) {
    if (route == path) return route;
  }
  return "other";
}

// The image of a request: the raw body, or the file field of a multipart form (the field named
// image, photo or file, else the first one with a file name).
struct Body {
  std::vector<uint8_t> bytes;
  std::string name;
  int status = 0;  // 0: read whole; else the error status with its message
  std::string message;
};

// curl --data-binary labels any body form-urlencoded unless told otherwise: taken as raw bytes
// like an image type; the decoder says whether they are one.
bool raw_image_type(const std::string& type) {
  for (const char* ok : {"image/", "application/octet-stream", "application/x-www-form-urlencoded"}) {
    if (type.rfind(ok, 0) == 0) return true;
  }
  return type.empty();
}

bool wanted_part(const httplib::MultipartFormData& part, bool taken_one) {
  if (taken_one) return false;
  return part.name == "image" || part.name == "photo" || part.name == "file" || !part.filename.empty();
}

}  // namespace

class HttpServer::Impl : public httplib::Server {
 public:
  Impl(ServerOptions opts, RecognitionPool& pool, std::string models_json)
      : opts_(std::move(opts)), pool_(pool), models_json_(std::move(models_json)) {
    set_payload_max_length(opts_.max_body);
    new_task_queue = [this] { return threads_ = new ConnectionThreads(opts_.max_connections); };
    routes();
  }

  // Throws Error when the address cannot be bound.
  void bind_socket() {
    port_ = opts_.port == 0 ? bind_to_any_port(opts_.bind) : (bind_to_port(opts_.bind, opts_.port) ? opts_.port : -1);
    if (port_ < 0) {
      throw UsageError(fmt::format("cannot listen on {} port {}: {}", opts_.bind, opts_.port, std::strerror(errno)));
    }
    // httplib 0.11 listens with a backlog of 5: a burst of connections would wait out SYN
    // retries (a second each). Listening again on the socket only raises the backlog.
    ::listen(svr_sock_, SOMAXCONN);
  }

  void stop_serving() {
    stopping_ = true;
    stop();
  }

  int port_ = 0;

 private:
  void routes();
  void classify(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  Body read_body(const httplib::Request& req, const httplib::ContentReader& reader) const;
  void log(const std::string& remote, const std::string& method, const std::string& path, int status,
           size_t bytes) const;
  void refuse(int fd, int status, const std::string& message);
  std::string too_large() const { return fmt::format("the body is over the {} byte limit", opts_.max_body); }

  bool process_and_close_socket(socket_t sock) override;

  ServerOptions opts_;
  RecognitionPool& pool_;
  std::string models_json_;
  Metrics metrics_;
  std::atomic<bool> stopping_{false};
  ConnectionThreads* threads_ = nullptr;  // owned by httplib while listening
};

void HttpServer::Impl::log(const std::string& remote, const std::string& method, const std::string& path,
                           int status, size_t bytes) const {
  if (!opts_.access_log) return;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t_start).count();
  fmt::print(stderr, "whatcar: {} {} {} {} {} B {:.1f} ms\n", remote.empty() ? "-" : remote, method,
             path.empty() ? "-" : path, status, bytes, ms);
}

void HttpServer::Impl::refuse(int fd, int status, const std::string& message) {
  const std::string body = error_body(message);
  const std::string response = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
      status, reason(status), body.size(), status == 503 ? "Retry-After: 1\r\n" : "", body);
  // Never blocks: the accepting thread may be the one refusing.
  [[maybe_unused]] const ssize_t n = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  metrics_.request("other", status);
  int port = 0;
  log(address_of(fd, true, &port), "-", "-", status, body.size());
}

bool HttpServer::Impl::process_and_close_socket(socket_t sock) {
  t_start = Clock::now();
  if (t_refuse) {
    metrics_.connection_refused();
    refuse(sock, 503, fmt::format("more than {} connections are open; try again", opts_.max_connections));
    ::close(sock);
    return false;
  }
  const int header_s = std::min(opts_.header_timeout_s, opts_.request_timeout_s);
  switch (await_headers(sock, t_start + std::chrono::seconds(header_s), stopping_)) {
    case HeaderWait::kReady: {
      ConnectionStream stream(sock, t_start + std::chrono::seconds(opts_.request_timeout_s));
      bool closed = false;
      process_request(stream, true, closed, nullptr);
      break;
    }
    case HeaderWait::kTooLarge:
      refuse(sock, 431, fmt::format("request line and headers are over {} KiB", kMaxHeaderBytes >> 10));
      break;
    case HeaderWait::kTimeout:
      refuse(sock, 408, fmt::format("no request within {} s", header_s));
      break;
    case HeaderWait::kClosed:
      break;
  }
  close_gracefully(sock);
  return true;
}

void HttpServer::Impl::routes() {
  // Before httplib reads any body: only the classify route takes one, through its bounded
  // reader; httplib would read another route's body whole, and a body without a length until
  // the client closes. Byte ranges are refused: cpp-httplib 0.11 does not bound their number
  // (fixed upstream in 0.14.3), and nothing here needs them.
  set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    const bool has_body = req.has_header("Content-Length") || req.has_header("Transfer-Encoding");
    if (req.path == "/v1/classify" && req.method == "POST") {
      if (has_body) return HandlerResponse::Unhandled;
      set_error(res, 411, "send the image with a Content-Length or chunked");
    } else if (req.method != "GET" && req.method != "HEAD") {
      res.status = endpoint_of(req.path) == "other" ? 404 : 405;  // the error handler says why
    } else if (has_body && req.get_header_value("Content-Length") != "0") {
      set_error(res, 400, "only POST /v1/classify takes a body");
    } else if (req.has_header("Range")) {
      set_error(res, 416, "byte ranges are not supported");
    } else {
      return HandlerResponse::Unhandled;
    }
    return HandlerResponse::Handled;
  });
  set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value<uint64_t>("Content-Length") > opts_.max_body) {
      set_error(res, 413, too_large());
      return 413;
    }
    return 100;
  });
  set_error_handler(HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    const auto route = std::find_if(kRoutes.begin(), kRoutes.end(), [&](const auto& r) { return r.first == req.path; });
    if (route != kRoutes.end() && (res.status == 404 || res.status == 405)) {
      res.set_header("Allow", route->second);
      set_error(res, 405, fmt::format("{} takes {} only", route->first, route->second));
      return HandlerResponse::Handled;
    }
    if (res.body.empty()) {
      const std::string message = res.status == 404   ? fmt::format("no such endpoint: {}", req.path)
                                  : res.status == 413 ? "the body is over the size limit"
                                                      : std::string(reason(res.status));
      res.set_content(error_body(message), "application/json");
    }
    return HandlerResponse::Handled;
  }));
  set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    set_error(res, 500, fmt::format("internal error: {}", what));
  });
  set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const std::string endpoint = endpoint_of(req.path);
    metrics_.request(endpoint, res.status);
    if (endpoint == "/v1/classify") {
      metrics_.classify_latency(std::chrono::duration<double>(Clock::now() - t_start).count());
    }
    log(req.remote_addr, req.method, req.path, res.status, res.body.size());
  });

  Get("/", [](const httplib::Request&, httplib::Response& res) {
    // The page's script and style are inline; nothing may come from anywhere else.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob:; "
                   "connect-src 'self'; form-action 'none'; base-uri 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(std::string(page_html()), "text/html; charset=utf-8");
  });
  Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(models_json_, "application/json");
  });
  Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    Metrics::Gauges g;
    g.queue_depth = pool_.queue_depth();
    g.queue_capacity = pool_.queue_capacity();
    g.workers = pool_.workers();
    g.open_connections = threads_ ? threads_->active() : 0;
    res.set_content(metrics_.prometheus(g), "text/plain; version=0.0.4");
  });
  Post("/v1/classify", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    classify(req, res, reader);
  });
}

Body HttpServer::Impl::read_body(const httplib::Request& req, const httplib::ContentReader& reader) const {
  Body body;
  bool over = false;
  auto append = [&](const char* data, size_t n) {
    if (body.bytes.size() + n > opts_.max_body) {
      over = true;
      return false;
    }
    body.bytes.insert(body.bytes.end(), data, data + n);
    return true;
  };
  bool complete;
  if (req.is_multipart_form_data()) {
    bool taking = false, taken = false;
    complete = reader(
        [&](const httplib::MultipartFormData& part) {
          taking = wanted_part(part, taken);
          if (taking) {
            taken = true;
            body.name = part.filename;
          }
          return true;
        },
        [&](const char* data, size_t n) { return !taking || append(data, n); });
    if (complete && !taken) {
      body.status = 400;
      body.message = "the form has no file field (send the image as the field 'image')";
      return body;
    }
  } else {
    const std::string type = req.get_header_value("Content-Type");
    if (!raw_image_type(type)) {
      body.status = 415;
      body.message = fmt::format(
          "Content-Type {} is not an image: send the image as the body (image/* or application/octet-stream) or "
          "as the field 'image' of a multipart/form-data form",
          type);
      return body;
    }
    complete = reader(append);
  }
  if (over) {
    body.status = 413;
    body.message = too_large();
  } else if (!complete) {
    body.status = 400;
    body.message = fmt::format("the body did not arrive whole within {} s", opts_.request_timeout_s);
  } else if (body.bytes.empty()) {
    body.status = 400;
    body.message = "the request has no image (empty body)";
  }
  return body;
}

void HttpServer::Impl::classify(const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& reader) {
  RequestOptions options;
  try {
    options = parse_request_options(req.params, opts_.request_defaults);
  } catch (const Error& e) {
    return set_error(res, 400, e.what());
  }
  Body body = read_body(req, reader);
  // httplib sets 413 itself when Content-Length announces more than the limit.
  if (res.status == 413) body = {{}, {}, 413, too_large()};
  if (body.status) return set_error(res, body.status, body.message);
  if (body.name.empty()) body.name = req.has_param("name") ? req.get_param_value("name") : "upload";
  const std::string name = body.name;
  std::optional<std::future<Result>> pending = pool_.submit({std::move(body.bytes), name, options});
  if (!pending) {
    res.set_header("Retry-After", "1");
    return set_error(res, 503,
                     fmt::format("all {} workers are busy and {} photos are waiting; try again", pool_.workers(),
                                 pool_.queue_capacity()));
  }
  const Result result = pending->get();
  if (result.error) {
    res.status = 422;
    res.set_content(json_record(result), "application/json");
    return;
  }
  metrics_.images_classified(static_cast<int>(result.cars.size()));
  res.set_content(json_record(result), "application/json");
}

HttpServer::HttpServer(ServerOptions opts, RecognitionPool& pool, std::string models_json)
    : impl_(std::make_unique<Impl>(std::move(opts), pool, std::move(models_json))) {}

HttpServer::~HttpServer() = default;

void HttpServer::bind() { impl_->bind_socket(); }

int HttpServer::port() const { return impl_->port_; }

bool HttpServer::run() { return impl_->listen_after_bind(); }

void HttpServer::stop() { impl_->stop_serving(); }

}  // namespace whatcar::server
