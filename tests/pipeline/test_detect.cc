#include "catch_torch.h"

#include <cmath>
#include <limits>

#include "pipeline/detect.h"

using namespace whatcar;

namespace {

DetectorMetadata meta() {
  DetectorMetadata m;
  m.preprocess.input_size = 100;
  m.classes = {"person", "car", "truck"};
  m.vehicle_classes = {1, 2};
  m.score_threshold = 0.3f;
  m.nms_iou = 0.5f;
  return m;
}

}  // namespace

TEST_CASE("IoU of boxes", "[detect]") {
  CHECK(iou({0, 0, 10, 10}, {0, 0, 10, 10}) == Approx(1));
  CHECK(iou({0, 0, 10, 10}, {5, 0, 15, 10}) == Approx(50.0 / 150));
  CHECK(iou({0, 0, 10, 10}, {20, 20, 30, 30}) == 0);
  CHECK(iou({0, 0, 0, 0}, {0, 0, 0, 0}) == 0);  // degenerate: no division by zero
}

TEST_CASE("rows become vehicles in the image's pixels, main car first", "[detect]") {
  // The detector saw a 100x100 squash of a 400x200 image.
  const auto cars = vehicles({{10, 10, 20, 20, 0.9f, 1}, {50, 40, 90, 80, 0.5f, 2}}, meta(), {0.3, 0}, 400, 200);
  REQUIRE(cars.size() == 2);
  CHECK(cars[0].box.x1 == Approx(200));  // the larger box first, though its score is lower
  CHECK(cars[0].box.y1 == Approx(80));
  CHECK(cars[0].box.x2 == Approx(360));
  CHECK(cars[0].box.y2 == Approx(160));
  CHECK(cars[0].class_index == 2);
  CHECK(cars[1].score == Approx(0.9));
}

TEST_CASE("rows that cannot be cars are dropped, never crash", "[detect]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<DetectionRow> rows{
      {0, 0, 100, 100, 0.99f, 0},    // a person
      {nan, 0, 50, 50, 0.9f, 1},     // NaN coordinate
      {0, 0, 50, 50, nan, 1},        // NaN score
      {0, 0, inf, 50, 0.9f, 1},      // infinite
      {30, 30, 30, 60, 0.9f, 1},     // zero width
      {-50, -50, -10, -10, 0.9f, 1}, // outside the image
      {110, 0, 150, 50, 0.9f, 1},    // outside on the other side
      {0, 0, 50, 50, 0.1f, 1},       // under the threshold
      {0, 0, 50, 50, 0.9f, 7},       // an unknown class
      {0, 0, 50, 50, 0.9f, 1.5f},    // not a class index
  };
  CHECK(vehicles(rows, meta(), {0.3, 0}, 100, 100).empty());
  CHECK(vehicles({}, meta(), {0.3, 0}, 100, 100).empty());
}

TEST_CASE("a box partly outside is clipped to the image", "[detect]") {
  const auto cars = vehicles({{-20, 10, 60, 120, 0.9f, 1}}, meta(), {0.3, 0}, 100, 100);
  REQUIRE(cars.size() == 1);
  CHECK(cars[0].box.x1 == 0);
  CHECK(cars[0].box.y2 == 100);
}

TEST_CASE("overlapping boxes keep the best one, whatever the vehicle class", "[detect]") {
  // COCO calls a pickup both car and truck; one vehicle must stay one car.
  const auto cars = vehicles({{10, 10, 60, 60, 0.6f, 1}, {12, 10, 60, 62, 0.8f, 2}, {70, 70, 90, 90, 0.5f, 1}},
                             meta(), {0.3, 0}, 100, 100);
  REQUIRE(cars.size() == 2);
  CHECK(cars[0].score == Approx(0.8));
  CHECK(cars[1].score == Approx(0.5));
}

TEST_CASE("crop regions grow by the margin, stay inside and are never empty", "[detect]") {
  const Box r = crop_region({20, 20, 40, 60}, 0.1, 100, 100);
  CHECK(r.x1 == 18);
  CHECK(r.y1 == 16);
  CHECK(r.x2 == 42);
  CHECK(r.y2 == 64);
  const Box edge = crop_region({0, 90, 100, 100}, 0.5, 100, 100);
  CHECK(edge.x1 == 0);
  CHECK(edge.x2 == 100);
  CHECK(edge.y2 == 100);
  const Box thin = crop_region({99.5, 99.5, 100, 100}, 0, 100, 100);
  CHECK(thin.x2 - thin.x1 >= 1);
  CHECK(thin.y2 - thin.y1 >= 1);
  CHECK(thin.x2 <= 100);
}

TEST_CASE("letterboxed rows map back with one scale for both axes", "[detect]") {
  DetectorMetadata m = meta();
  m.preprocess.resize = "letterbox";
  // A 400x200 image fills the top 100x50 of the 100x100 input: 4 image pixels per input pixel.
  const auto cars = vehicles({{10, 10, 50, 40, 0.9f, 1}, {10, 60, 50, 90, 0.9f, 1}}, m, {0.3, 0}, 400, 200);
  REQUIRE(cars.size() == 1);  // the second lies wholly in the black padding: nothing left after clipping
  CHECK(cars[0].box.x1 == Approx(40));
  CHECK(cars[0].box.y1 == Approx(40));
  CHECK(cars[0].box.x2 == Approx(200));
  CHECK(cars[0].box.y2 == Approx(160));
}

TEST_CASE("boxes covering less of the photo than min_box_area are not cars", "[detect]") {
  // 100x100 image: a 10x10 box covers 1%, a 20x20 box 4%.
  const std::vector<DetectionRow> rows{{0, 0, 10, 10, 0.9f, 1}, {50, 50, 70, 70, 0.4f, 1}};
  CHECK(vehicles(rows, meta(), {0.3, 0.0}, 100, 100).size() == 2);
  const auto cars = vehicles(rows, meta(), {0.3, 0.02}, 100, 100);
  REQUIRE(cars.size() == 1);
  CHECK(cars[0].score == Approx(0.4));
  // Measured after clipping: a box mostly outside the photo is as small as what is left of it.
  CHECK(vehicles({{-90, -90, 10, 10, 0.9f, 1}}, meta(), {0.3, 0.02}, 100, 100).empty());
}
