#include "pipeline/predict.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace whatcar {
namespace {

std::vector<double> softmax(const float* logits, int n) {
  const double max = *std::max_element(logits, logits + n);
  std::vector<double> p(n);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += p[i] = std::exp(static_cast<double>(logits[i]) - max);
  for (double& v : p) v /= sum;
  return p;
}

std::vector<int> ranked(const std::vector<double>& p, int k) {
  const int n = static_cast<int>(p.size());
  k = std::clamp(k, 0, n);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  order.resize(k);
  return order;
}

}  // namespace

std::vector<Prediction> top_k(const float* logits, int n, int k, const std::vector<std::string>& labels) {
  const std::vector<double> p = softmax(logits, n);
  std::vector<Prediction> out;
  for (int i : ranked(p, k)) {
    Prediction pred;
    pred.index = i;
    pred.label = labels[i];
    pred.probability = p[i];
    out.push_back(std::move(pred));
  }
  return out;
}

Car car_from_logits(const float* logits, const ModelMetadata& meta, int k, double min_confidence) {
  const std::vector<double> p = softmax(logits, static_cast<int>(meta.labels.size()));
  Car car;
  const std::vector<int> order = ranked(p, std::max(k, 1));
  car.confident = p[order[0]] >= min_confidence;
  for (int r = 0; r < std::min<int>(k, static_cast<int>(order.size())); ++r) {
    const int i = order[r];
    const LabelParts& parts = meta.label_parts[i];
    car.predictions.push_back({i, meta.labels[i], parts.make, parts.model, parts.body, parts.year, p[i]});
  }
  std::map<std::string, double> by_make;
  for (size_t i = 0; i < p.size(); ++i) by_make[meta.label_parts[i].make] += p[i];
  for (const auto& [name, probability] : by_make) {
    if (probability > car.make.probability) car.make = {name, probability};
  }
  return car;
}

}  // namespace whatcar
