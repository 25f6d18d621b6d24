#include "model/detector.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/json_fields.h"
#include "model/torchscript.h"
#include "util/error.h"

namespace whatcar {
namespace {

std::vector<DetectionRow> parse_rows(const Fields& f) {
  std::vector<DetectionRow> rows;
  for (const Json& row : f.list("detections")) {
    if (!row.is_array() || row.size() != 6) f.fail("has a detection that is not six numbers");
    DetectionRow r{};
    for (size_t i = 0; i < 6; ++i) {
      if (!row[i].is_number()) f.fail("has a detection value that is not a number");
      r[i] = row[i].get<float>();
    }
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

DetectorMetadata parse_detector_metadata(const std::string& path, const std::string& json_text) {
  if (json_text.empty()) throw ModelError(path, fmt::format("not a whatcar detector: no {} inside", kDetectorMetadataFile));
  const Json doc = parse_json(path, kDetectorMetadataFile, json_text);
  const Fields top(path, doc, kDetectorMetadataFile);
  DetectorMetadata m;
  m.name = top.str("name");
  m.version = top.str("version");
  if (top.str("output") != "detections") top.fail("has an unknown 'output' (detections)");
  m.preprocess = parse_preprocess(Fields(path, top.at("preprocess"), "preprocess"));
  if (m.preprocess.resize == "shorter-side") top.fail("preprocess must keep the whole image (squash or letterbox)");
  for (const Json& c : top.list("classes")) {
    if (!c.is_string()) top.fail("'classes' must be strings");
    m.classes.push_back(c.get<std::string>());
  }
  if (m.classes.empty()) top.fail("lists no classes");
  for (const Json& v : top.list("vehicle_classes")) {
    const auto it = std::find(m.classes.begin(), m.classes.end(), v.is_string() ? v.get<std::string>() : "");
    if (it == m.classes.end()) top.fail(fmt::format("'vehicle_classes' names {}, which is not a class", v.dump()));
    m.vehicle_classes.push_back(static_cast<int>(it - m.classes.begin()));
  }
  if (m.vehicle_classes.empty()) top.fail("lists no vehicle classes");
  m.score_threshold = static_cast<float>(top.fraction("score_threshold"));
  m.nms_iou = static_cast<float>(top.fraction("nms_iou"));
  if (top.has("min_box_area")) m.min_box_area = static_cast<float>(top.fraction("min_box_area"));
  for (size_t i = 0; i < top.list("probes").size(); ++i) {
    const Fields f(path, top.list("probes")[i], fmt::format("probe {}", i + 1));
    DetectorProbe p;
    p.seed = f.seed("seed");
    p.width = f.whole("width", 1, kMaxInputSize);
    p.height = f.whole("height", 1, kMaxInputSize);
    p.rows = parse_rows(f);
    m.probes.push_back(std::move(p));
  }
  if (top.has("image_probes")) {
    for (size_t i = 0; i < top.list("image_probes").size(); ++i) {
      const Fields f(path, top.list("image_probes")[i], fmt::format("image probe {}", i + 1));
      DetectorProbe p;
      p.file = f.str("file");
      p.rows = parse_rows(f);
      m.image_probes.push_back(std::move(p));
    }
  }
  m.info = parse_info(top);
  return m;
}

Detector Detector::load(const std::string& path) {
  torch::jit::ExtraFilesMap extra{{kDetectorMetadataFile, ""}};
  torch::jit::mobile::Module module = load_torchscript(path, extra);
  DetectorMetadata meta = parse_detector_metadata(path, extra[kDetectorMetadataFile]);
  return Detector(path, std::move(module), std::move(meta));
}

std::vector<DetectionRow> Detector::detect(const float* input, int width, int height) {
  // from_blob does not copy; the caller's buffer outlives the forward pass.
  const torch::Tensor x = torch::from_blob(const_cast<float*>(input), {1, 3, height, width}, torch::kFloat32);
  const torch::Tensor out = run_forward(module_, path_, x, Precision::kFp32).to(torch::kFloat32).contiguous();
  if (out.dim() != 3 || out.size(0) != 1 || out.size(2) != 6) {
    throw ModelError(path_, fmt::format("detector output has shape {}, not 1 x N x 6", fmt::join(out.sizes().vec(), "x")));
  }
  std::vector<DetectionRow> rows(static_cast<size_t>(out.size(1)));
  if (!rows.empty()) std::copy_n(out.data_ptr<float>(), rows.size() * 6, rows.front().data());
  return rows;
}

}  // namespace whatcar
