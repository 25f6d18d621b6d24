// What `serve` counts, and its Prometheus text exposition (GET /metrics). Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace whatcar::server {

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds: one photo takes 0.05-1 s on
  // a small CPU, more when the queue is long.
  static constexpr std::array<double, 10> kLatencyBuckets{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  // Every answered request, by endpoint (the route, or "other") and status.
  void request(const std::string& endpoint, int status);
  // A classify request's latency, from its first byte to its answer.
  void classify_latency(double seconds);
  void images_classified(int cars_found);
  void connection_refused();

  // Values sampled when the page is rendered.
  struct Gauges {
    size_t queue_depth = 0;
    size_t queue_capacity = 0;
    size_t workers = 0;
    size_t open_connections = 0;
  };
  std::string prometheus(const Gauges& g) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::array<uint64_t, kLatencyBuckets.size()> latency_counts_{};  // per bucket, not cumulative
  uint64_t latency_count_ = 0;
  double latency_sum_ = 0;
  uint64_t images_ = 0;
  uint64_t cars_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace whatcar::server
