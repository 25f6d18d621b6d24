#include <catch2/catch.hpp>

#include <string>

#include "server/metrics.h"

using whatcar::server::Metrics;

namespace {
bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }
}  // namespace

TEST_CASE("metrics count requests by endpoint and status", "[metrics]") {
  Metrics m;
  m.request("/v1/classify", 200);
  m.request("/v1/classify", 200);
  m.request("/v1/classify", 503);
  m.request("other", 404);
  const std::string text = m.prometheus({});
  CHECK(has_line(text, R"(whatcar_http_requests_total{endpoint="/v1/classify",code="200"} 2)"));
  CHECK(has_line(text, R"(whatcar_http_requests_total{endpoint="/v1/classify",code="503"} 1)"));
  CHECK(has_line(text, R"(whatcar_http_requests_total{endpoint="other",code="404"} 1)"));
  CHECK(has_line(text, "# TYPE whatcar_http_requests_total counter"));
}

TEST_CASE("the latency histogram is cumulative and ends with +Inf", "[metrics]") {
  Metrics m;
  m.classify_latency(0.01);  // first bucket
  m.classify_latency(0.3);   // le=0.5
  m.classify_latency(60);    // beyond the last bucket
  const std::string text = m.prometheus({});
  CHECK(has_line(text, R"(whatcar_classify_duration_seconds_bucket{le="0.025"} 1)"));
  CHECK(has_line(text, R"(whatcar_classify_duration_seconds_bucket{le="0.25"} 1)"));
  CHECK(has_line(text, R"(whatcar_classify_duration_seconds_bucket{le="0.5"} 2)"));
  CHECK(has_line(text, R"(whatcar_classify_duration_seconds_bucket{le="30"} 2)"));
  CHECK(has_line(text, R"(whatcar_classify_duration_seconds_bucket{le="+Inf"} 3)"));
  CHECK(has_line(text, "whatcar_classify_duration_seconds_count 3"));
  CHECK(has_line(text, "whatcar_classify_duration_seconds_sum 60.310000"));
}

TEST_CASE("metrics report images, cars, refusals and the gauges given", "[metrics]") {
  Metrics m;
  m.images_classified(2);
  m.images_classified(0);
  m.connection_refused();
  Metrics::Gauges g;
  g.queue_depth = 3;
  g.queue_capacity = 8;
  g.workers = 2;
  g.open_connections = 5;
  const std::string text = m.prometheus(g);
  CHECK(has_line(text, "whatcar_images_classified_total 2"));
  CHECK(has_line(text, "whatcar_cars_found_total 2"));
  CHECK(has_line(text, "whatcar_connections_refused_total 1"));
  CHECK(has_line(text, "whatcar_queue_depth 3"));
  CHECK(has_line(text, "whatcar_queue_capacity 8"));
  CHECK(has_line(text, "whatcar_workers 2"));
  CHECK(has_line(text, "whatcar_open_connections 5"));
}
