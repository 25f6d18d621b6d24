// From the classifier's logits to one car's ranked predictions.
#pragma once

#include <string>
#include <vector>

#include "model/metadata.h"
#include "pipeline/result.h"

namespace whatcar {

// Softmax over n logits, then the k most probable (ties broken by the lower index).
std::vector<Prediction> top_k(const float* logits, int n, int k, const std::vector<std::string>& labels);

// One car's answer from one row of logits: the top k with their label parts, the most probable
// make (the sum over its classes), and whether the top-1 probability reached min_confidence.
Car car_from_logits(const float* logits, const ModelMetadata& meta, int k, double min_confidence);

}  // namespace whatcar
