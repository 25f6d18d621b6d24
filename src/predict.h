// From logits to ranked predictions.
#pragma once

#include <string>
#include <vector>

#include "result.h"

namespace whatcar {

// Softmax over n logits, then the k most probable (ties broken by the lower index).
std::vector<Prediction> top_k(const float* logits, int n, int k, const std::vector<std::string>& labels);

// Fills r.predictions and r.confident (top-1 probability >= min_confidence) from one row of logits.
void predict_into(Result& r, const float* logits, const std::vector<std::string>& labels, int k,
                  double min_confidence);

}  // namespace whatcar
