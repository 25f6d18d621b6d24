#include "pipeline/detect.h"

#include <algorithm>
#include <cmath>

#include "image/preprocess.h"

namespace whatcar {

double area(const Box& b) { return std::max(0.0, b.x2 - b.x1) * std::max(0.0, b.y2 - b.y1); }

double iou(const Box& a, const Box& b) {
  const Box inter{std::max(a.x1, b.x1), std::max(a.y1, b.y1), std::min(a.x2, b.x2), std::min(a.y2, b.y2)};
  const double i = area(inter), u = area(a) + area(b) - i;
  return u > 0 ? i / u : 0;
}

std::vector<Detection> vehicles(const std::vector<DetectionRow>& rows, const DetectorMetadata& meta,
                                const CarThresholds& thresholds, int width, int height) {
  // The image filled the whole input (squash) or its top-left letterbox_size() (letterbox).
  const int s = meta.preprocess.input_size;
  const auto [cw, ch] = meta.preprocess.resize == "letterbox" ? letterbox_size(width, height, s) : std::pair{s, s};
  const double sx = static_cast<double>(width) / cw, sy = static_cast<double>(height) / ch;
  std::vector<Detection> found;
  for (const auto& r : rows) {
    if (!std::all_of(r.begin(), r.end(), [](float v) { return std::isfinite(v); })) continue;
    const double score = r[4];
    const int cls = static_cast<int>(r[5]);
    if (!(score >= thresholds.min_score) || static_cast<float>(cls) != r[5]) continue;
    if (std::find(meta.vehicle_classes.begin(), meta.vehicle_classes.end(), cls) == meta.vehicle_classes.end()) continue;
    const Box b{std::clamp(r[0] * sx, 0.0, static_cast<double>(width)), std::clamp(r[1] * sy, 0.0, static_cast<double>(height)),
                std::clamp(r[2] * sx, 0.0, static_cast<double>(width)), std::clamp(r[3] * sy, 0.0, static_cast<double>(height))};
    if (b.x2 - b.x1 < 1 || b.y2 - b.y1 < 1) continue;
    if (area(b) < thresholds.min_box_area * width * height) continue;
    found.push_back({b, score, cls});
  }
  std::stable_sort(found.begin(), found.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const auto& d : found) {
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) { return iou(k.box, d.box) > meta.nms_iou; });
    if (!overlaps) kept.push_back(d);
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Detection& a, const Detection& b) { return area(a.box) > area(b.box); });
  return kept;
}

Box crop_region(const Box& box, double margin, int width, int height) {
  const double mx = margin * (box.x2 - box.x1), my = margin * (box.y2 - box.y1);
  Box r{std::floor(std::clamp(box.x1 - mx, 0.0, width - 1.0)), std::floor(std::clamp(box.y1 - my, 0.0, height - 1.0)),
        std::ceil(std::clamp(box.x2 + mx, 0.0, static_cast<double>(width))),
        std::ceil(std::clamp(box.y2 + my, 0.0, static_cast<double>(height)))};
  r.x2 = std::max(r.x2, r.x1 + 1);
  r.y2 = std::max(r.y2, r.y1 + 1);
  return r;
}

}  // namespace whatcar
