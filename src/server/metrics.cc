#include "server/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace whatcar::server {

void Metrics::request(const std::string& endpoint, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{endpoint, status}];
}

void Metrics::classify_latency(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
  if (bucket != kLatencyBuckets.end()) ++latency_counts_[static_cast<size_t>(bucket - kLatencyBuckets.begin())];
  ++latency_count_;
  latency_sum_ += seconds;
}

void Metrics::images_classified(int cars_found) {
  std::lock_guard<std::mutex> lock(mu_);
  ++images_;
  cars_ += static_cast<uint64_t>(std::max(cars_found, 0));
}

void Metrics::connection_refused() {
  std::lock_guard<std::mutex> lock(mu_);
  ++refused_;
}

std::string Metrics::prometheus(const Gauges& g) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  metric("whatcar_http_requests_total", "counter", "HTTP requests answered, by endpoint and status code.");
  for (const auto& [key, n] : requests_) {
    out += fmt::format("whatcar_http_requests_total{{endpoint=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
  }
  metric("whatcar_classify_duration_seconds", "histogram", "Time from a classify request's arrival to its answer.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += latency_counts_[i];
    out += fmt::format("whatcar_classify_duration_seconds_bucket{{le=\"{}\"}} {}\n", kLatencyBuckets[i], cumulative);
  }
  out += fmt::format("whatcar_classify_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_);
  out += fmt::format("whatcar_classify_duration_seconds_sum {:.6f}\n", latency_sum_);
  out += fmt::format("whatcar_classify_duration_seconds_count {}\n", latency_count_);
  metric("whatcar_images_classified_total", "counter", "Uploaded images recognised (with or without a car).");
  out += fmt::format("whatcar_images_classified_total {}\n", images_);
  metric("whatcar_cars_found_total", "counter", "Cars named in the recognised images.");
  out += fmt::format("whatcar_cars_found_total {}\n", cars_);
  metric("whatcar_connections_refused_total", "counter", "Connections turned away because too many were open.");
  out += fmt::format("whatcar_connections_refused_total {}\n", refused_);
  metric("whatcar_queue_depth", "gauge", "Images waiting for a worker.");
  out += fmt::format("whatcar_queue_depth {}\n", g.queue_depth);
  metric("whatcar_queue_capacity", "gauge", "Images that may wait before requests get 503.");
  out += fmt::format("whatcar_queue_capacity {}\n", g.queue_capacity);
  metric("whatcar_workers", "gauge", "Threads running the networks.");
  out += fmt::format("whatcar_workers {}\n", g.workers);
  metric("whatcar_open_connections", "gauge", "Client connections open now.");
  out += fmt::format("whatcar_open_connections {}\n", g.open_connections);
  return out;
}

}  // namespace whatcar::server
