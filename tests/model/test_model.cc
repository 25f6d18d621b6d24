#include "catch_torch.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include "fixtures.h"
#include "image/preprocess.h"
#include "model/model.h"
#include "util/error.h"

using namespace whatcar;
using whatcar::test::fixture;
using whatcar::test::read_floats;

TEST_CASE("the tiny fixture model loads with its metadata", "[model]") {
  Model m = Model::load(fixture("tiny_model.pt"));
  CHECK(m.metadata().name == "tiny-test-model");
  CHECK(m.num_classes() == 5);
  CHECK(m.input_size() == 32);
  CHECK(m.metadata().references.at(Precision::kFp32).probes.size() == 4);
  CHECK(m.metadata().references.at(Precision::kBf16).probes.size() == 4);
}

TEST_CASE("logits equal the Python model's on the same images", "[model][parity]") {
  Model m = Model::load(fixture("tiny_model.pt"));
  for (const char* name : {"scene.png", "portrait.png"}) {
    INFO(name);
    const int s = m.input_size();
    torch::Tensor input = torch::empty({1, 3, s, s});
    preprocess_into(load_image(fixture(std::string("images/") + name)), m.metadata().preprocess, input.data_ptr<float>());
    const torch::Tensor logits = m.logits(input);
    const auto expected = read_floats(std::string("reference/") + name + ".logits.txt");
    REQUIRE(logits.size(1) == static_cast<int64_t>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) CHECK(logits[0][i].item<float>() == Approx(expected[i]).margin(1e-5));
  }
}

TEST_CASE("unusable model files are ModelErrors", "[model][errors]") {
  auto error_of = [](const std::string& path) -> std::string {
    try {
      Model::load(path);
    } catch (const ModelError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of("/nonexistent/model.pt") == "model file not found");
  CHECK(error_of(fixture("images")) == "model path is a directory");
  CHECK(error_of(fixture("images/empty.jpg")) == "model file is empty");
  CHECK_THAT(error_of(fixture("images/scene.png")), Catch::StartsWith("not a loadable TorchScript model"));
}

TEST_CASE("bf16 computes other logits than fp32, within the exported bf16 references' tolerance", "[model][precision]") {
  Model fp32 = Model::load(fixture("tiny_model.pt"));
  Model bf16 = Model::load(fixture("tiny_model.pt"), Precision::kBf16);
  CHECK(bf16.precision() == Precision::kBf16);
  const References& refs = bf16.metadata().references.at(Precision::kBf16);
  const int s = bf16.input_size();
  for (const Probe& p : refs.probes) {
    INFO("probe " << p.seed);
    torch::Tensor input = torch::empty({1, 3, s, s});
    preprocess_into(probe_image(p.seed, p.width, p.height), bf16.metadata().preprocess, input.data_ptr<float>());
    const torch::Tensor ours = bf16.logits(input);
    CHECK(ours.scalar_type() == torch::kFloat32);
    // bfloat16 keeps 8 significant bits: a pass that stayed in fp32 would agree to 1e-6.
    CHECK((ours - fp32.logits(input)).abs().max().item<float>() > 1e-4);
    for (size_t c = 0; c < p.logits.size(); ++c) CHECK(ours[0][c].item<float>() == Approx(p.logits[c]).margin(refs.tolerance));
  }
}
