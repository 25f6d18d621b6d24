#include <catch2/catch.hpp>

#include "error.h"
#include "metadata.h"

using namespace whatcar;

namespace {

const std::string kGood =
    "name: m\nversion: 1\nresize: shorter-side\nresize_size: 36\ninput_size: 32\ninterpolation: bilinear\n"
    "mean: 0.5 0.5 0.5\nstd: 0.25 0.25 0.25\nmin_confidence: 0.4\n";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

std::string error_for(const std::string& model_txt, const std::string& labels = "a\nb\n",
                      const std::string& probes = "") {
  try {
    parse_metadata("m.pt", model_txt, labels, probes);
  } catch (const ModelError& e) {
    CHECK(e.subject() == "m.pt");
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("valid metadata is parsed", "[metadata]") {
  const auto m = parse_metadata("m.pt", kGood, "Alpha 2012\r\nBeta, \"B\" 2010\n",
                                "probe 7 10 20\n1 2.5\nimage 00032.jpg 1 0\n");
  CHECK(m.name == "m");
  CHECK(m.labels == std::vector<std::string>{"Alpha 2012", "Beta, \"B\" 2010"});
  CHECK(m.preprocess.resize_size == 36);
  CHECK(m.preprocess.std[2] == 0.25f);
  CHECK(m.min_confidence == Approx(0.4));
  REQUIRE(m.probes.size() == 1);
  CHECK(m.probes[0].seed == 7);
  CHECK(m.probes[0].logits == std::vector<float>{1.0f, 2.5f});
  REQUIRE(m.image_probes.size() == 1);
  CHECK(m.image_probes[0].file == "00032.jpg");
  CHECK(m.image_probes[0].top == std::vector<int>{1, 0});
}

TEST_CASE("missing or inconsistent metadata is refused with a reason", "[metadata][errors]") {
  CHECK_THAT(error_for(""), Catch::Contains("not a whatcar model"));
  CHECK_THAT(error_for(kGood, ""), Catch::Contains("lacks labels"));
  CHECK_THAT(error_for(kGood, "a\n\nb\n"), Catch::Contains("empty label on line 2"));
  CHECK_THAT(error_for(replace(kGood, "name: m\n", "")), Catch::Contains("lacks 'name'"));
  CHECK_THAT(error_for(replace(kGood, "input_size: 32", "input_size: 0")), Catch::Contains("input_size"));
  CHECK_THAT(error_for(replace(kGood, "resize_size: 36", "resize_size: 16")), Catch::Contains("smaller"));
  CHECK_THAT(error_for(replace(kGood, "resize: shorter-side", "resize: fancy")), Catch::Contains("unknown resize"));
  CHECK_THAT(error_for(replace(kGood, "bilinear", "lanczos")), Catch::Contains("interpolation"));
  CHECK_THAT(error_for(replace(kGood, "std: 0.25 0.25 0.25", "std: 0.25 0 0.25")), Catch::Contains("positive"));
  CHECK_THAT(error_for(replace(kGood, "mean: 0.5 0.5 0.5", "mean: 0.5 x 0.5")), Catch::Contains("bad number"));
  CHECK_THAT(error_for(replace(kGood, "mean: 0.5 0.5 0.5", "mean: 0.5")), Catch::Contains("needs 3"));
  CHECK_THAT(error_for(replace(kGood, "0.4", "1.5")), Catch::Contains("min_confidence"));
  CHECK_THAT(error_for(kGood + "no colon here\n"), Catch::Contains("bad line"));
  CHECK_THAT(error_for(kGood, "a\nb\n", "probe 1 10 10\n1 2 3\n"), Catch::Contains("3 logits for 2 labels"));
  CHECK_THAT(error_for(kGood, "a\nb\n", "probe 1 0 10\n1 2\n"), Catch::Contains("bad probe"));
  CHECK_THAT(error_for(kGood, "a\nb\n", "probe 1 10 10\n"), Catch::Contains("bad probe"));
  CHECK_THAT(error_for(kGood, "a\nb\n", "image x.jpg 0 2\n"), Catch::Contains("names class 2 of 2"));
  CHECK_THAT(error_for(kGood, "a\nb\n", "image x.jpg 0 one\n"), Catch::Contains("bad image probe"));
}

TEST_CASE("probe images are deterministic and depend on the seed", "[metadata]") {
  const Image a = probe_image(1, 97, 61), b = probe_image(1, 97, 61), c = probe_image(2, 97, 61);
  CHECK(a.rgb == b.rgb);
  CHECK(a.rgb != c.rgb);
  CHECK(a.rgb.size() == 97 * 61 * 3);
  // First pixel of seed 1, as training/preprocess.py's probe_image() computes it.
  CHECK(int(a.rgb[0]) == int(((1ULL * 6364136223846793005ULL + 1442695040888963407ULL) >> 56) >> 2));
}
