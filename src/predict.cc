#include "predict.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace whatcar {

std::vector<Prediction> top_k(const float* logits, int n, int k, const std::vector<std::string>& labels) {
  k = std::clamp(k, 0, n);
  const double max = *std::max_element(logits, logits + n);
  std::vector<double> p(n);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += p[i] = std::exp(static_cast<double>(logits[i]) - max);
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  std::vector<Prediction> out;
  for (int r = 0; r < k; ++r) out.push_back({order[r], labels[order[r]], p[order[r]] / sum});
  return out;
}

}  // namespace whatcar

namespace whatcar {

void predict_into(Result& r, const float* logits, const std::vector<std::string>& labels, int k,
                  double min_confidence) {
  const int n = static_cast<int>(labels.size());
  r.predictions = top_k(logits, n, std::max(k, 1), labels);
  r.confident = r.predictions[0].probability >= min_confidence;
  r.predictions.resize(std::min<size_t>(r.predictions.size(), std::max(k, 0)));
}

}  // namespace whatcar
