#include "catch_torch.h"

#include "fixtures.h"
#include "model/detector.h"
#include "model/metadata.h"
#include "pipeline/recognizer.h"

using namespace whatcar;
using whatcar::test::fixture;
using whatcar::test::read_floats;

namespace {

Model tiny() { return Model::load(fixture("tiny_model.pt")); }

RecognizeOptions options(int top_k, bool full_decode = false, bool timings = false) {
  RecognizeOptions o;
  o.top_k = top_k;
  o.full_decode = full_decode;
  o.timings = timings;
  return o;
}

// A black 200x100 image with filled rectangles of the given colours.
struct Rect {
  int x1, y1, x2, y2;
  uint8_t r, g, b;
};
Image scene(std::vector<Rect> rects) {
  Image img;
  img.width = 200;
  img.height = 100;
  img.rgb.assign(200 * 100 * 3, 0);
  for (const Rect& q : rects) {
    for (int y = q.y1; y < q.y2; ++y) {
      for (int x = q.x1; x < q.x2; ++x) {
        uint8_t* p = img.at(x, y);
        p[0] = q.r;
        p[1] = q.g;
        p[2] = q.b;
      }
    }
  }
  return img;
}

Result recognize(Recognizer& r, Image img) {
  std::vector<Prepared> one;
  one.push_back(r.prepare(std::move(img), "scene"));
  return r.finish(one).front();
}

}  // namespace

TEST_CASE("one photo becomes one car whose box is the whole upright image", "[recognizer]") {
  Model m = tiny();
  Recognizer r(m, nullptr, options(3));
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
  Recognizer r(m, nullptr, options(5, true));
  const torch::Tensor logits = r.logits({r.prepare(fixture("images/scene.png"))});
  const auto expected = read_floats("reference/scene.png.logits.txt");
  REQUIRE(logits.size(1) == static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) CHECK(logits[0][i].item<float>() == Approx(expected[i]).margin(1e-5));
}

TEST_CASE("a batch keeps its order, and failed inputs keep their errors", "[recognizer]") {
  Model m = tiny();
  Recognizer r(m, nullptr, options(1, false, true));
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
  RecognizeOptions o;
  CHECK(Recognizer(m, nullptr, o).min_confidence() == Approx(m.metadata().min_confidence));
  o.min_confidence = 0.9;
  CHECK(Recognizer(m, nullptr, o).min_confidence() == Approx(0.9));
  o.min_confidence = 1.0;
  CHECK_FALSE(Recognizer(m, nullptr, o).recognize(fixture("images/scene.png")).cars[0].confident);
}

// tests/fixtures/make_tiny_detector.py: a "car" around pixels brighter than 200, a "truck" around
// strongly red ones, in a 64x64 squash of the image; boxes come back in the image's pixels.
TEST_CASE("with a detector, the main car is found, cropped and classified", "[recognizer][detect]") {
  Model m = tiny();
  Detector d = Detector::load(fixture("tiny_detector.pt"));
  Recognizer r(m, &d, options(2));
  const Result res = recognize(r, scene({{50, 25, 150, 75, 255, 255, 255}, {0, 0, 20, 10, 255, 0, 0}}));
  REQUIRE_FALSE(res.error);
  REQUIRE(res.cars.size() == 1);
  const Car& car = res.cars[0];
  REQUIRE(car.score);
  CHECK(*car.score == Approx(0.9));
  // The 64x64 squash blurs edges by a pixel or so: 200/64 = 3.1 image pixels per detector pixel.
  CHECK(car.box.x1 == Approx(50).margin(4));
  CHECK(car.box.y1 == Approx(25).margin(2));
  CHECK(car.box.x2 == Approx(150).margin(4));
  CHECK(car.box.y2 == Approx(75).margin(2));
  CHECK(car.predictions.size() == 2);
}

TEST_CASE("all_cars answers for every car, largest first", "[recognizer][detect]") {
  Model m = tiny();
  Detector d = Detector::load(fixture("tiny_detector.pt"));
  RecognizeOptions o = options(1);
  o.all_cars = true;
  Recognizer r(m, &d, o);
  const Result res = recognize(r, scene({{10, 10, 40, 30, 255, 255, 255}, {100, 20, 190, 90, 255, 0, 0}}));
  REQUIRE(res.cars.size() == 2);
  CHECK(res.cars[0].box.x1 == Approx(100).margin(4));  // the red "truck" is larger
  CHECK(*res.cars[0].score == Approx(0.8));
  CHECK(res.cars[1].box.x1 == Approx(10).margin(4));
  CHECK(&res.predictions() == &res.cars[0].predictions);
  // Over the detector's threshold, only the white one is left.
  o.min_score = 0.85;
  Recognizer strict(m, &d, o);
  CHECK(recognize(strict, scene({{10, 10, 40, 30, 255, 255, 255}, {100, 20, 190, 90, 255, 0, 0}})).cars.size() == 1);
}

TEST_CASE("a photo without a car is an answer: no cars, no error", "[recognizer][detect]") {
  Model m = tiny();
  Detector d = Detector::load(fixture("tiny_detector.pt"));
  Recognizer r(m, &d, options(5));
  // The fixture's "person", NaN, zero-area, off-image, low-score and unknown-class rows are all
  // there; none of them may become a car.
  const Result res = recognize(r, scene({}));
  CHECK_FALSE(res.error);
  CHECK(res.cars.empty());
  CHECK(res.predictions().empty());
}

TEST_CASE("an upload's bytes give what the same file gives, and bad bytes an error naming it", "[recognizer]") {
  Model m = tiny();
  Recognizer r(m, nullptr, options(3));
  const std::string path = fixture("images/scene.png");
  const Result from_file = r.recognize(path);
  const Result from_bytes = r.recognize_bytes(whatcar::test::read_bytes("images/scene.png"), "upload.png");
  REQUIRE_FALSE(from_bytes.error);
  CHECK(from_bytes.path == "upload.png");
  REQUIRE(from_bytes.predictions().size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(from_bytes.predictions()[i].index == from_file.predictions()[i].index);
    CHECK(from_bytes.predictions()[i].probability == Approx(from_file.predictions()[i].probability).margin(1e-6));
  }
  const std::vector<uint8_t> junk{'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  const Result bad = r.recognize_bytes(junk, "junk.bin");
  REQUIRE(bad.error);
  CHECK(bad.path == "junk.bin");
  CHECK(bad.cars.empty());
}
