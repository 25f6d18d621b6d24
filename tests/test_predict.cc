#include <catch2/catch.hpp>

#include "predict.h"

using namespace whatcar;

TEST_CASE("top_k ranks by softmax probability", "[predict]") {
  const std::vector<std::string> labels{"a", "b", "c", "d"};
  const float logits[] = {1.0f, 3.0f, 2.0f, 3.0f};
  const auto top = top_k(logits, 4, 3, labels);
  REQUIRE(top.size() == 3);
  CHECK(top[0].index == 1);  // tie with index 3: the lower index first
  CHECK(top[1].index == 3);
  CHECK(top[2].label == "c");
  double sum = 0;
  for (const auto& p : top_k(logits, 4, 4, labels)) sum += p.probability;
  CHECK(sum == Approx(1.0));
  CHECK(top[0].probability == Approx(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + 2 * std::exp(3.0))));
}

TEST_CASE("k is clamped to the number of classes", "[predict]") {
  const float logits[] = {0.0f, 1.0f};
  CHECK(top_k(logits, 2, 10, {"x", "y"}).size() == 2);
}

TEST_CASE("confidence compares the top-1 probability with the threshold", "[predict]") {
  const float logits[] = {0.0f, 0.0f, 0.0f, 0.0f};  // 25% each
  Result r;
  predict_into(r, logits, {"a", "b", "c", "d"}, 2, 0.3);
  CHECK_FALSE(r.confident);
  CHECK(r.predictions.size() == 2);
  predict_into(r, logits, {"a", "b", "c", "d"}, 1, 0.25);
  CHECK(r.confident);
}

TEST_CASE("extreme logits do not overflow", "[predict]") {
  const float logits[] = {1000.0f, -1000.0f, 999.0f};
  const auto top = top_k(logits, 3, 3, {"a", "b", "c"});
  CHECK(top[0].probability == Approx(1 / (1 + std::exp(-1.0))));
  CHECK(top[2].probability == Approx(0.0).margin(1e-12));
}
