#include "catch_torch.h"

#include <torch/torch.h>

#include <thread>

#include "model/precision.h"

using namespace whatcar;

namespace {

// 1 + 2^-10 times 1: bfloat16 keeps 8 significant bits and rounds it to 1.
float product() {
  const torch::Tensor a = torch::full({1, 1}, 1.0f + 1.0f / 1024), one = torch::ones({1, 1});
  return torch::mm(a, one).to(torch::kFloat32).item<float>();
}

}  // namespace

TEST_CASE("precisions have the names the command line and the metadata use", "[precision]") {
  CHECK(precision_names().at("fp32") == Precision::kFp32);
  CHECK(precision_names().at("bf16") == Precision::kBf16);
  for (const auto& [name, p] : precision_names()) CHECK(precision_name(p) == name);
}

TEST_CASE("a precision scope holds until it ends, on its own thread only", "[precision]") {
  const float exact = 1.0f + 1.0f / 1024;
  CHECK(product() == exact);
  {
    PrecisionScope bf16(Precision::kBf16);
    CHECK(product() == 1.0f);
    float other_thread = 0;
    std::thread([&] { other_thread = product(); }).join();
    CHECK(other_thread == exact);
    {
      PrecisionScope fp32(Precision::kFp32);
      CHECK(product() == exact);
    }
    CHECK(product() == 1.0f);
  }
  CHECK(product() == exact);
}
