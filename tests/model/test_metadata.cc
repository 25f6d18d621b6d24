#include <catch2/catch.hpp>

#include "model/metadata.h"
#include "model/metadata_test_helpers.h"
#include "util/error.h"

using namespace whatcar;

namespace {

const std::string kGood = R"({
  "name": "m", "version": "1",
  "preprocess": {"resize": "shorter-side", "resize_size": 36, "input_size": 32, "interpolation": "bilinear",
                 "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
  "min_confidence": 0.4,
  "classes": [{"label": "Alpha Coupe 2012", "make": "Alpha", "model": "", "body": "Coupe", "year": "2012"},
              {"label": "Beta, \"B\" 2010", "make": "Beta,", "model": "\"B\"", "body": "", "year": "2010"}],
  "probes": [{"seed": 7, "width": 10, "height": 20, "logits": [1, 2.5]}],
  "image_probes": [{"file": "00032.png", "top": [1, 0]}],
  "precisions": {"bf16": {"tolerance": 0.3, "probes": [{"seed": 7, "width": 10, "height": 20, "logits": [1.1, 2.4]}],
                          "image_probes": [{"file": "00049.png", "top": [1]}]},
                 "int4": {"tolerance": 2, "probes": []}},
  "info": {"architecture": "TinyNet", "val_top1": 0.5}
})";

std::string error_for(const std::string& json) { return test::model_error("m.pt", json, parse_metadata); }

}  // namespace

TEST_CASE("valid metadata is parsed", "[metadata]") {
  const auto m = parse_metadata("m.pt", kGood);
  CHECK(m.name == "m");
  CHECK(m.labels == std::vector<std::string>{"Alpha Coupe 2012", "Beta, \"B\" 2010"});
  REQUIRE(m.label_parts.size() == 2);
  CHECK(m.label_parts[0].make == "Alpha");
  CHECK(m.label_parts[0].body == "Coupe");
  CHECK(m.label_parts[1].year == "2010");
  CHECK(m.preprocess.resize_size == 36);
  CHECK(m.preprocess.std[2] == 0.25f);
  CHECK(m.min_confidence == Approx(0.4));
  // fp32's references are the top-level probes; a precision this binary lacks (int4) is skipped.
  REQUIRE(m.references.size() == 2);
  const References& fp32 = m.references.at(Precision::kFp32);
  CHECK(fp32.tolerance == 0);
  REQUIRE(fp32.probes.size() == 1);
  CHECK(fp32.probes[0].seed == 7);
  CHECK(fp32.probes[0].logits == std::vector<float>{1.0f, 2.5f});
  REQUIRE(fp32.image_probes.size() == 1);
  CHECK(fp32.image_probes[0].file == "00032.png");
  CHECK(fp32.image_probes[0].top == std::vector<int>{1, 0});
  const References& bf16 = m.references.at(Precision::kBf16);
  CHECK(bf16.tolerance == Approx(0.3));
  REQUIRE(bf16.probes.size() == 1);
  CHECK(bf16.probes[0].logits == std::vector<float>{1.1f, 2.4f});
  REQUIRE(bf16.image_probes.size() == 1);
  CHECK(bf16.image_probes[0].top == std::vector<int>{1});
  CHECK(m.info == std::vector<std::pair<std::string, std::string>>{{"architecture", "TinyNet"}, {"val_top1", "0.5"}});
}

TEST_CASE("missing or inconsistent metadata is refused with a reason", "[metadata][errors]") {
  CHECK_THAT(error_for(""), Catch::Contains("not a whatcar model"));
  CHECK_THAT(error_for("{\"name\": "), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_for("[1, 2]"), Catch::Contains("is not an object"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"name\": \"m\",", "")), Catch::Contains("lacks 'name'"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"name\": \"m\"", "\"name\": 3")), Catch::Contains("'name' must be"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"input_size\": 32", "\"input_size\": 0")), Catch::Contains("input_size"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"input_size\": 32", "\"input_size\": 3.5")), Catch::Contains("whole number"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"resize_size\": 36", "\"resize_size\": 16")), Catch::Contains("smaller"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"shorter-side\"", "\"fancy\"")), Catch::Contains("unknown resize"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"resize\": \"shorter-side\", \"resize_size\": 36",
                                          "\"resize\": \"letterbox\", \"pad_to\": 8")),
             Catch::Contains("a classifier's input is input_size square"));
  CHECK_THAT(error_for(test::replace_once(kGood, "bilinear", "lanczos")), Catch::Contains("interpolation"));
  CHECK_THAT(error_for(test::replace_once(kGood, "[0.25, 0.25, 0.25]", "[0.25, 0, 0.25]")), Catch::Contains("positive"));
  CHECK_THAT(error_for(test::replace_once(kGood, "[0.5, 0.5, 0.5]", "[0.5, \"x\", 0.5]")), Catch::Contains("not a number"));
  CHECK_THAT(error_for(test::replace_once(kGood, "[0.5, 0.5, 0.5]", "[0.5]")), Catch::Contains("needs 3"));
  CHECK_THAT(error_for(test::replace_once(kGood, "0.4", "1.5")), Catch::Contains("min_confidence"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"make\": \"Alpha\"", "\"make\": \"\"")), Catch::Contains("class 0 'make'"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"logits\": [1, 2.5]", "\"logits\": [1, 2, 3]")), Catch::Contains("needs 2"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"width\": 10", "\"width\": 0")), Catch::Contains("probe 1 'width'"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"top\": [1, 0]", "\"top\": [0, 2]")), Catch::Contains("outside 0..1"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"top\": [1, 0]", "\"top\": [0, \"one\"]")), Catch::Contains("outside 0..1"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"classes\": [", "\"classes\": [], \"x\": [")), Catch::Contains("no classes"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"tolerance\": 0.3", "\"tolerance\": 0")),
             Catch::Contains("precisions.bf16 has a 'tolerance' that is not positive"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"tolerance\": 0.3, ", "")), Catch::Contains("precisions.bf16 lacks 'tolerance'"));
  CHECK_THAT(error_for(test::replace_once(kGood, "[1.1, 2.4]", "[1.1]")), Catch::Contains("needs 2"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"top\": [1]", "\"top\": [2]")), Catch::Contains("outside 0..1"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"int4\"", "\"fp32\"")), Catch::Contains("top-level probes"));
  CHECK_THAT(error_for(test::replace_once(kGood, "\"precisions\": {", "\"precisions\": [], \"y\": {")),
             Catch::Contains("'precisions' must be an object"));
}

TEST_CASE("probe images are deterministic and depend on the seed", "[metadata]") {
  const Image a = probe_image(1, 97, 61), b = probe_image(1, 97, 61), c = probe_image(2, 97, 61);
  CHECK(a.rgb == b.rgb);
  CHECK(a.rgb != c.rgb);
  CHECK(a.rgb.size() == 97 * 61 * 3);
  // First pixel of seed 1, as training/preprocess.py's probe_image() computes it.
  CHECK(int(a.rgb[0]) == int(((1ULL * 6364136223846793005ULL + 1442695040888963407ULL) >> 56) >> 2));
}
