#include <catch2/catch.hpp>

#include "fixtures.h"
#include "model/metadata.h"
#include "pipeline/recognizer.h"

using namespace whatcar;
using whatcar::test::fixture;
using whatcar::test::read_floats;

namespace {

Model tiny() { return Model::load(fixture("tiny_model.pt")); }

}  // namespace

TEST_CASE("one photo becomes one car whose box is the whole upright image", "[recognizer]") {
  Model m = tiny();
  Recognizer r(m, {3, std::nullopt, kDefaultMaxPixels, false, false});
  const Result res = r.recognize(fixture("images/scene.png"));
  REQUIRE_FALSE(res.error);
  REQUIRE(res.cars.size() == 1);
  const Car& car = res.cars[0];
  CHECK(car.box.x2 == 120);
  CHECK(car.box.y2 == 80);
  CHECK_FALSE(car.score);
  CHECK(car.predictions.size() == 3);
  CHECK(&res.predictions() == &car.predictions);
  CHECK_FALSE(res.timings);
  // EXIF orientation 6 turns the stored 32x48 pixels into a 48x32 photo.
  const Result turned = r.recognize(fixture("images/orientation_6.jpg"));
  REQUIRE(turned.cars.size() == 1);
  CHECK(turned.cars[0].box.x2 == 48);
  CHECK(turned.cars[0].box.y2 == 32);
}

TEST_CASE("the pipeline's logits are the Python model's", "[recognizer][parity]") {
  Model m = tiny();
  Recognizer r(m, {5, std::nullopt, kDefaultMaxPixels, true, false});
  const torch::Tensor logits = r.logits({r.prepare(fixture("images/scene.png"))});
  const auto expected = read_floats("reference/scene.png.logits.txt");
  REQUIRE(logits.size(1) == static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) CHECK(logits[0][i].item<float>() == Approx(expected[i]).margin(1e-5));
}

TEST_CASE("a batch keeps its order, and failed inputs keep their errors", "[recognizer]") {
  Model m = tiny();
  Recognizer r(m, {1, std::nullopt, kDefaultMaxPixels, false, true});
  const std::vector<Prepared> batch{r.prepare(fixture("images/scene.png")), r.prepare(fixture("images/empty.jpg")),
                                    r.prepare(fixture("images/portrait.png"))};
  const std::vector<Result> out = r.finish(batch);
  REQUIRE(out.size() == 3);
  CHECK(out[1].error == "empty file");
  CHECK(out[1].cars.empty());
  // Each photo's answer is the one it gets alone.
  CHECK(out[0].predictions()[0].index == r.recognize(fixture("images/scene.png")).predictions()[0].index);
  CHECK(out[2].predictions()[0].index == r.recognize(fixture("images/portrait.png")).predictions()[0].index);
  CHECK(out[2].cars[0].box.y2 == 150);
  REQUIRE(out[0].timings);
  CHECK(out[0].timings->total_ms >= out[0].timings->inference_ms);
}

TEST_CASE("the minimum confidence comes from the model unless given", "[recognizer]") {
  Model m = tiny();
  CHECK(Recognizer(m, {}).min_confidence() == Approx(m.metadata().min_confidence));
  CHECK(Recognizer(m, {5, 0.9}).min_confidence() == Approx(0.9));
  CHECK_FALSE(Recognizer(m, {5, 1.0}).recognize(fixture("images/scene.png")).cars[0].confident);
}
