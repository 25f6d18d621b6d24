#include "catch_torch.h"

#include "pipeline/predict.h"

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

namespace {

ModelMetadata four_classes() {
  ModelMetadata m;
  m.labels = {"Audi A 2012", "Audi B 2012", "BMW C 2012", "Dodge D 2012"};
  m.label_parts = {{"Audi", "A", "", "2012"}, {"Audi", "B", "", "2012"}, {"BMW", "C", "", "2012"}, {"Dodge", "D", "", "2012"}};
  return m;
}

}  // namespace

TEST_CASE("confidence compares the top-1 probability with the threshold", "[predict]") {
  const float logits[] = {0.0f, 0.0f, 0.0f, 0.0f};  // 25% each
  Car car = car_from_logits(logits, four_classes(), 2, 0.3);
  CHECK_FALSE(car.confident);
  CHECK(car.predictions.size() == 2);
  CHECK(car_from_logits(logits, four_classes(), 1, 0.25).confident);
}

TEST_CASE("a car carries its label parts and the most probable make", "[predict]") {
  // BMW C is the single most probable class, but the two Audis together outweigh it.
  const float logits[] = {1.0f, 1.0f, 1.5f, -5.0f};
  const Car car = car_from_logits(logits, four_classes(), 3, 0.0);
  REQUIRE(car.predictions.size() == 3);
  CHECK(car.predictions[0].label == "BMW C 2012");
  CHECK(car.predictions[0].make == "BMW");
  CHECK(car.predictions[0].model == "C");
  CHECK(car.predictions[0].year == "2012");
  CHECK(car.make.name == "Audi");
  CHECK(car.make.probability == Approx(car.predictions[1].probability + car.predictions[2].probability));
}

TEST_CASE("extreme logits do not overflow", "[predict]") {
  const float logits[] = {1000.0f, -1000.0f, 999.0f};
  const auto top = top_k(logits, 3, 3, {"a", "b", "c"});
  CHECK(top[0].probability == Approx(1 / (1 + std::exp(-1.0))));
  CHECK(top[2].probability == Approx(0.0).margin(1e-12));
}
