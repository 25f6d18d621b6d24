#include "catch_torch.h"

#include "fixtures.h"
#include "model/detector.h"
#include "model/metadata.h"
#include "model/model.h"
#include "model/metadata_test_helpers.h"
#include "util/error.h"

using namespace whatcar;
using whatcar::test::fixture;

namespace {

const std::string kGood = R"({
  "name": "d", "version": "1", "output": "detections",
  "preprocess": {"resize": "squash", "input_size": 64, "interpolation": "bilinear",
                 "mean": [0, 0, 0], "std": [0.00392156862745098, 0.00392156862745098, 0.00392156862745098]},
  "classes": ["person", "car", "truck"],
  "vehicle_classes": ["car", "truck"],
  "score_threshold": 0.25, "nms_iou": 0.5,
  "probes": [{"seed": 1, "width": 9, "height": 7, "detections": [[1, 2, 3, 4, 0.5, 1]]}],
  "image_probes": [{"file": "00032.png", "detections": []}]
})";

std::string error_for(const std::string& json) { return test::model_error("d.pt", json, parse_detector_metadata); }

}  // namespace

TEST_CASE("detector metadata is parsed", "[detector]") {
  const DetectorMetadata m = parse_detector_metadata("d.pt", kGood);
  CHECK(m.preprocess.input_size == 64);
  CHECK((m.vehicle_classes == std::vector<int>{1, 2}));
  CHECK(m.score_threshold == Approx(0.25));
  REQUIRE(m.probes.size() == 1);
  CHECK(m.probes[0].rows[0][4] == Approx(0.5));
  CHECK(m.image_probes[0].file == "00032.png");
  CHECK(m.preprocess.pad_to == 0);
  CHECK(parse_detector_metadata("d.pt", test::replace_once(kGood, "\"squash\"", "\"letterbox\", \"pad_to\": 32"))
            .preprocess.pad_to == 32);
}

TEST_CASE("broken detector metadata names what is wrong", "[detector]") {
  CHECK_THAT(error_for(""), Catch::Contains("not a whatcar detector: no whatcar/detector.json inside"));
  CHECK_THAT(error_for("{"), Catch::Contains("is not valid JSON"));
  CHECK_THAT(error_for(test::replace_once(kGood, R"(["car", "truck"])", R"(["car", "tram"])")),
             Catch::Contains("'vehicle_classes' names \"tram\", which is not a class"));
  CHECK_THAT(error_for(test::replace_once(kGood, R"(["car", "truck"])", "[]")), Catch::Contains("lists no vehicle classes"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"score_threshold\": 0.25", "\"score_threshold\": 2")),
             Catch::Contains("'score_threshold' is not in [0,1]"));
  CHECK_THAT(error_for(test::replace_once(kGood, "[[1, 2, 3, 4, 0.5, 1]]", "[[1, 2, 3]]")),
             Catch::Contains("probe 1 has a detection that is not six numbers"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"squash\"", "\"squash\", \"pad_to\": 32")),
             Catch::Contains("'pad_to' applies to a letterbox only"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"squash\"", "\"letterbox\", \"pad_to\": 65")),
             Catch::Contains("'pad_to'"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"squash\"", "\"shorter-side\", \"resize_size\": 70")),
             Catch::Contains("preprocess must keep the whole image"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"output\": \"detections\"", "\"output\": \"heatmap\"")),
             Catch::Contains("unknown 'output'"));
}

TEST_CASE("the fixture detector loads and answers in rows of six", "[detector]") {
  Detector d = Detector::load(fixture("tiny_detector.pt"));
  CHECK(d.input_size() == 64);
  std::vector<float> black(3 * 64 * 64, 0.0f);
  const auto rows = d.detect(black.data(), 64, 64);
  CHECK(rows.size() == 6);  // its fixed rows only: nothing bright, nothing red
  CHECK(rows[0][4] == Approx(0.95));
}

TEST_CASE("a classifier is not a detector", "[detector]") {
  CHECK_THROWS_WITH(Detector::load(fixture("tiny_model.pt")), Catch::Contains("not a whatcar detector"));
  CHECK_THROWS_WITH(Model::load(fixture("tiny_detector.pt")), Catch::Contains("no whatcar/model.json inside"));
}
