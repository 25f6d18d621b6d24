#include "cli/verify.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <variant>

#include "image/preprocess.h"
#include "model/detector.h"
#include "model/model_path.h"
#include "pipeline/detect.h"
#include "pipeline/predict.h"
#include "pipeline/recognizer.h"
#include "util/error.h"
#include "util/sha256.h"
#include "version.h"

namespace fs = std::filesystem;

namespace whatcar {
namespace {

enum class Status { kPass, kFail, kSkip, kInfo };

struct Check {
  std::string name;
  Status status;
  std::string detail;
};

const char* status_name(Status s) {
  switch (s) {
    case Status::kPass: return "PASS";
    case Status::kFail: return "FAIL";
    case Status::kSkip: return "SKIP";
    case Status::kInfo: return "INFO";
  }
  return "?";
}

// The digest listed for `model_path` in SHA256SUMS beside it ("<hex>  <name>" lines), or "".
std::string expected_from_sums(const std::string& model_path, std::string* sums_path) {
  const fs::path p(model_path);
  *sums_path = (p.parent_path() / "SHA256SUMS").string();
  std::ifstream in(*sums_path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string hex, name;
    if (fields >> hex >> name && (name == p.filename().string() || name == "*" + p.filename().string())) return hex;
  }
  return "";
}

Check check_integrity(const std::string& name, const std::string& path, const std::string& flag_sha) {
  if (!fs::is_regular_file(path)) return {name, Status::kFail, path + ": model file not found"};
  std::string sums_path, expected = flag_sha;
  const std::string source = flag_sha.empty() ? "" : "--sha256";
  if (expected.empty()) expected = expected_from_sums(path, &sums_path);
  if (expected.empty()) {
    return {name, Status::kFail, fmt::format("no expected sha256: {} lists no {}{}", sums_path,
                                             fs::path(path).filename().string(),
                                             name == "integrity" ? " (or pass --sha256)" : "")};
  }
  const std::string actual = sha256_file(path);
  if (actual != expected) {
    return {name, Status::kFail,
            fmt::format("sha256 {} differs from the expected {} ({})", actual, expected,
                        source.empty() ? sums_path : source)};
  }
  return {name, Status::kPass, fmt::format("sha256 {} matches {}", actual, source.empty() ? sums_path : source)};
}

std::vector<int> ranking(const float* logits, const std::vector<std::string>& labels, int k) {
  std::vector<int> out;
  for (const auto& p : top_k(logits, static_cast<int>(labels.size()), k, labels)) out.push_back(p.index);
  return out;
}

// How many of the reference's top `k` (of `order`, its ranking, one longer where it can be) keep
// their place whatever logits within `tolerance` do: a class closer than twice the tolerance to
// the next may swap with it, as bf16's near-ties do between CPUs.
int stable_ranks(const std::vector<float>& reference, const std::vector<int>& order, int k, double tolerance) {
  int n = 0;
  while (n < k && (n + 1 >= static_cast<int>(order.size()) ||
                   reference[order[n]] - reference[order[n + 1]] > 2 * tolerance)) {
    ++n;
  }
  return n;
}

Check check_reproducibility(Recognizer& recognizer, const References* refs, double tolerance) {
  const Model& model = recognizer.classifier();
  const std::string precision = precision_name(model.precision());
  if (!refs || refs->probes.empty()) {
    return {"reproducibility", Status::kFail, fmt::format("the model carries no {} probes (whatcar/model.json)", precision)};
  }
  const auto& labels = model.metadata().labels;
  const int n = model.num_classes(), k = std::min(5, n);
  double worst = 0;
  int compared = k;
  for (size_t i = 0; i < refs->probes.size(); ++i) {
    const Probe& p = refs->probes[i];
    const torch::Tensor logits =
        recognizer.logits({recognizer.prepare(probe_image(p.seed, p.width, p.height), fmt::format("probe {}", i + 1))});
    const float* ours = logits.data_ptr<float>();
    for (int c = 0; c < n; ++c) worst = std::max(worst, std::abs(static_cast<double>(ours[c]) - p.logits[c]));
    const std::vector<int> theirs = ranking(p.logits.data(), labels, std::min(k + 1, n));
    const int stable = stable_ranks(p.logits, theirs, k, tolerance);
    compared = std::min(compared, stable);
    const std::vector<int> mine = ranking(ours, labels, k);
    if (!std::equal(theirs.begin(), theirs.begin() + stable, mine.begin())) {
      return {"reproducibility", Status::kFail,
              fmt::format("{} probe {} ({}x{}, seed {}): top-{} differs from the exported model's", precision, i + 1,
                          p.width, p.height, p.seed, stable)};
    }
  }
  const std::string summary =
      fmt::format("{} probes in {}: max |logit difference| {:.2e} (tolerance {:.0e}), {}", refs->probes.size(),
                  precision, worst, tolerance,
                  compared == k ? fmt::format("top-{} identical", k)
                                : "top classes identical where the exported logits are over twice the tolerance apart");
  if (!(worst <= tolerance)) return {"reproducibility", Status::kFail, summary};
  return {"reproducibility", Status::kPass, summary};
}

// The true-colour Stanford Cars copies training/prepare_data.py writes, which the exporter's
// real-image probes name: $WHATCAR_DATA/images, else ~/.cache/whatcar/stanford-cars-rgb/images.
std::string default_images_dir() {
  if (const char* data = std::getenv("WHATCAR_DATA"); data && *data) return (fs::path(data) / "images").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : "/") / ".cache" / "whatcar" / "stanford-cars-rgb" / "images").string();
}

// The folder of the real-image probes, or a SKIP check saying why there is none.
std::variant<std::string, Check> images_dir(const std::string& name, const VerifyOptions& opts) {
  const std::string dir = opts.images.empty() ? default_images_dir() : opts.images;
  if (!fs::is_directory(dir)) {
    if (!opts.images.empty()) throw UsageError(fmt::format("{}: --images folder not found", dir));
    return Check{name, Status::kSkip, fmt::format("{} not found (pass --images DIR)", dir)};
  }
  return dir;
}

// A probe photo in `dir`, or a SKIP check when the default folder lacks it: the default folder is
// a guess, so a missing photo there is no verdict.
std::optional<Check> missing_probe(const std::string& name, const std::string& file, const VerifyOptions& opts) {
  if (opts.images.empty() && !fs::exists(file)) {
    return Check{name, Status::kSkip, fmt::format("{} not found (pass --images DIR)", file)};
  }
  return std::nullopt;
}

Check check_images(Recognizer& recognizer, const References* refs, const VerifyOptions& opts) {
  if (!refs || refs->image_probes.empty()) {
    return {"real images", Status::kSkip,
            fmt::format("the model stores no real-image probes in {}", precision_name(recognizer.classifier().precision()))};
  }
  const auto& probes = refs->image_probes;
  const auto folder = images_dir("real images", opts);
  if (const Check* skip = std::get_if<Check>(&folder)) return *skip;
  const std::string& dir = std::get<std::string>(folder);
  const auto& labels = recognizer.classifier().metadata().labels;
  for (const auto& p : probes) {
    const std::string file = (fs::path(dir) / p.file).string();
    if (auto skip = missing_probe("real images", file, opts)) return *skip;
    const Prepared photo = recognizer.prepare(file);
    if (photo.error) return {"real images", Status::kFail, fmt::format("{}: {}", file, *photo.error)};
    const torch::Tensor logits = recognizer.logits({photo});
    const auto got = ranking(logits.data_ptr<float>(), labels, static_cast<int>(p.top.size()));
    if (got != p.top) {
      return {"real images", Status::kFail,
              fmt::format("{}: top-{} {} differs from the exported {}", file, p.top.size(), fmt::join(got, ","),
                          fmt::join(p.top, ","))};
    }
  }
  return {"real images", Status::kPass,
          fmt::format("{} photos in {}: top-{} identical to the exporter's", probes.size(), dir, probes[0].top.size())};
}

Check check_golden(Recognizer& recognizer, const VerifyOptions& opts) {
  if (opts.golden.empty()) return {"golden", Status::kSkip, "no --golden file given"};
  std::ifstream in(opts.golden);
  if (!in) throw UsageError(fmt::format("{}: cannot read the golden file", opts.golden));
  const fs::path base = fs::path(opts.golden).parent_path();
  int total = 0, correct = 0;
  std::string first_miss;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto comma = line.find(',');
    if (line.empty() || comma == std::string::npos) continue;
    const std::string file = line.substr(0, comma), expected = line.substr(comma + 1);
    if (total == 0 && file == "path") continue;  // header
    ++total;
    const fs::path image = fs::path(file).is_absolute() ? fs::path(file) : base / file;
    const Result r = recognizer.recognize(image.string());
    const std::string got = r.error ? fmt::format("error: {}", *r.error) : r.predictions().front().label;
    if (got == expected) {
      ++correct;
    } else if (first_miss.empty()) {
      first_miss = fmt::format("{}: expected '{}', got '{}'", file, expected, got);
    }
  }
  if (total == 0) return {"golden", Status::kFail, fmt::format("{} lists no images", opts.golden)};
  const double accuracy = static_cast<double>(correct) / total;
  std::string detail = fmt::format("{}/{} top-1 correct ({:.1f}%)", correct, total, 100 * accuracy);
  if (!first_miss.empty()) detail += "; first miss: " + first_miss;
  const bool pass = opts.min_accuracy ? accuracy >= *opts.min_accuracy : correct == total;
  if (opts.min_accuracy) detail += fmt::format("; required {:.1f}%", 100 * *opts.min_accuracy);
  return {"golden", pass ? Status::kPass : Status::kFail, detail};
}

// How far the detector's rows for one image are from the exported ones: the best score must agree
// within `tolerance`, and every exported row scoring at least kDetectorProbeScore must have a row
// of the same class with IoU >= 0.99 (or corners within half a pixel) and a score within `tolerance`. Rows under that score are
// near-ties whose order may change with the CPU's arithmetic, so they are not compared.
constexpr float kDetectorProbeScore = 0.1f;

std::optional<std::string> rows_differ(const std::vector<DetectionRow>& ours, const std::vector<DetectionRow>& theirs,
                                       double tolerance, double* worst) {
  const auto best = [](const std::vector<DetectionRow>& rows) {
    float b = 0;
    for (const auto& r : rows) b = std::max(b, r[4]);
    return b;
  };
  *worst = std::max(*worst, static_cast<double>(std::abs(best(ours) - best(theirs))));
  if (std::abs(best(ours) - best(theirs)) > tolerance) {
    return fmt::format("best score {:.4f}, exported {:.4f}", best(ours), best(theirs));
  }
  for (const auto& t : theirs) {
    if (t[4] < kDetectorProbeScore) continue;
    const Box tb{t[0], t[1], t[2], t[3]};
    const bool found = std::any_of(ours.begin(), ours.end(), [&](const DetectionRow& o) {
      // Degenerate boxes have no IoU: they match when their corners do.
      float corner = 0;
      for (int i = 0; i < 4; ++i) corner = std::max(corner, std::abs(o[i] - t[i]));
      const bool same_box = corner <= 0.5f || iou(Box{o[0], o[1], o[2], o[3]}, tb) >= 0.99;
      return o[5] == t[5] && same_box && std::abs(o[4] - t[4]) <= tolerance;
    });
    if (!found) return fmt::format("no row matches the exported class {} box [{:.1f}, {:.1f}, {:.1f}, {:.1f}] score {:.4f}",
                                   t[5], t[0], t[1], t[2], t[3], t[4]);
  }
  return std::nullopt;
}

std::vector<DetectionRow> detect_image(Detector& detector, const Image& image) {
  const auto [w, h] = input_dims(detector.metadata().preprocess, image.width, image.height);
  std::vector<float> input(3 * static_cast<size_t>(w) * h);
  preprocess_into(image, detector.metadata().preprocess, input.data());
  return detector.detect(input.data(), w, h);
}

Check check_detector_images(Detector& detector, const VerifyOptions& opts, double tolerance) {
  const std::string name = "detector images";
  const auto& probes = detector.metadata().image_probes;
  if (probes.empty()) return {name, Status::kSkip, "the detector stores no real-image probes"};
  const auto folder = images_dir(name, opts);
  if (const Check* skip = std::get_if<Check>(&folder)) return *skip;
  const std::string& dir = std::get<std::string>(folder);
  double worst = 0;
  for (const auto& p : probes) {
    const std::string file = (fs::path(dir) / p.file).string();
    if (auto skip = missing_probe(name, file, opts)) return *skip;
    std::vector<DetectionRow> rows;
    try {
      rows = detect_image(detector, load_image(file));
    } catch (const InputError& e) {
      return {name, Status::kFail, fmt::format("{}: {}", file, e.what())};
    }
    if (auto why = rows_differ(rows, p.rows, tolerance, &worst)) {
      return {name, Status::kFail, fmt::format("{}: {}", file, *why)};
    }
  }
  return {name, Status::kPass,
          fmt::format("{} photos in {}: the exporter's detections, best scores within {:.2e}", probes.size(), dir, worst)};
}

void check_detector(const VerifyOptions& opts, std::vector<Check>* checks) {
  std::string path;
  try {
    path = resolve_detector_path(opts.model.detector);
  } catch (const ModelError& e) {
    checks->push_back({"detector", Status::kFail, e.what()});
    return;
  }
  checks->push_back(check_integrity("detector integrity", path, ""));
  try {
    Detector detector = Detector::load(path);
    const auto& m = detector.metadata();
    const double tolerance = opts.tolerance.value_or(kDefaultTolerance);  // the detector runs in fp32
    std::vector<std::string> vehicles;
    for (int c : m.vehicle_classes) vehicles.push_back(m.classes[c]);
    detect_image(detector, probe_image(0, detector.input_size(), detector.input_size()));
    const int s = detector.input_size(), pad_to = m.preprocess.pad_to;
    const std::string input = pad_to ? fmt::format("up to {0}x{0} in multiples of {1}", s, pad_to) : fmt::format("{0}x{0}", s);
    checks->push_back({"detector", Status::kPass,
                       fmt::format("{} {}: input {}, {} classes, cars are {}; score threshold {:.2f}, NMS IoU {:.2f}, "
                                   "boxes from {:.0f}% of the photo",
                                   m.name, m.version, input, m.classes.size(),
                                   fmt::join(vehicles, ", "), m.score_threshold, m.nms_iou, 100 * m.min_box_area)});
    if (m.probes.empty()) {
      checks->push_back({"detector probes", Status::kFail, "the detector carries no probes (whatcar/detector.json)"});
    } else {
      double worst = 0;
      std::optional<Check> failure;
      for (size_t i = 0; i < m.probes.size() && !failure; ++i) {
        const auto& p = m.probes[i];
        if (auto why = rows_differ(detect_image(detector, probe_image(p.seed, p.width, p.height)), p.rows,
                                   tolerance, &worst)) {
          failure = Check{"detector probes", Status::kFail,
                          fmt::format("probe {} ({}x{}, seed {}): {}", i + 1, p.width, p.height, p.seed, *why)};
        }
      }
      checks->push_back(failure.value_or(Check{"detector probes", Status::kPass,
                                               fmt::format("{} probes: max |best score difference| {:.2e} "
                                                           "(tolerance {:.0e}), rows scoring {} or more identical",
                                                           m.probes.size(), worst, tolerance, kDetectorProbeScore)}));
    }
    checks->push_back(check_detector_images(detector, opts, tolerance));
  } catch (const ModelError& e) {
    checks->push_back({"detector", Status::kFail, e.what()});
  }
}

std::string cpu_features() {
  std::vector<std::string> have;
  __builtin_cpu_init();
#define WHATCAR_FEATURE(name) \
  if (__builtin_cpu_supports(name)) have.emplace_back(name);
  WHATCAR_FEATURE("avx2")
  WHATCAR_FEATURE("fma")
  WHATCAR_FEATURE("avx512f")
  WHATCAR_FEATURE("avx512vnni")
  WHATCAR_FEATURE("avx512bf16")
#undef WHATCAR_FEATURE
  return have.empty() ? "none of avx2/avx512" : fmt::format("{}", fmt::join(have, " "));
}

void print_report(const std::vector<Check>& checks, const std::string& format, int passed, int failed) {
  if (format == "json") {
    nlohmann::ordered_json report = {{"checks", nlohmann::ordered_json::array()}, {"passed", passed}, {"failed", failed}};
    for (const auto& c : checks) {
      report["checks"].push_back({{"name", c.name}, {"status", status_name(c.status)}, {"detail", c.detail}});
    }
    fmt::print("{}\n", report.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    return;
  }
  for (const auto& c : checks) fmt::print("{}  {:<18} {}\n", status_name(c.status), c.name, c.detail);
  fmt::print("verify: {} passed, {} failed\n", passed, failed);
}

}  // namespace

int run_verify(const VerifyOptions& opts) {
  if (opts.format != "text" && opts.format != "json") throw UsageError("verify --format is text or json");
  if (!opts.golden.empty() && !fs::is_regular_file(opts.golden)) {
    throw UsageError(fmt::format("{}: golden file not found", opts.golden));
  }
  set_torch_threads(opts.model.threads);
  const std::string path = resolve_model_path(opts.model.model);
  std::vector<Check> checks;
  checks.push_back(check_integrity("integrity", path, opts.sha256));
  try {
    Model model = Model::load(path, opts.model.precision);
    // Verify decodes at full size: the exporter's references were computed so.
    RecognizeOptions full_size;
    full_size.top_k = 1;
    full_size.full_decode = true;
    Recognizer recognizer(model, nullptr, full_size);
    const auto& m = model.metadata();
    const auto& p = m.preprocess;
    // Throws ModelError unless the output width is the label count.
    recognizer.logits({recognizer.prepare(probe_image(0, p.input_size, p.input_size), "contract probe")});
    checks.push_back({"contract", Status::kPass,
                      fmt::format("{} {}: {} labels = output width; input {}x{} ({}{}, {}), min confidence {:.3f}",
                                  m.name, m.version, m.labels.size(), p.input_size, p.input_size, p.resize,
                                  p.resize == "squash" ? "" : fmt::format(" {}", p.resize_size), p.interpolation,
                                  m.min_confidence)});
    const auto found = m.references.find(model.precision());
    const References* refs = found == m.references.end() ? nullptr : &found->second;
    const double tolerance = opts.tolerance.value_or(refs && refs->tolerance > 0 ? refs->tolerance : kDefaultTolerance);
    checks.push_back(check_reproducibility(recognizer, refs, tolerance));
    checks.push_back(check_images(recognizer, refs, opts));
    checks.push_back(check_golden(recognizer, opts));
  } catch (const ModelError& e) {
    checks.push_back({"contract", Status::kFail, e.what()});
  }
  if (!opts.model.no_detect) check_detector(opts, &checks);
  const int threads = at::get_num_threads();
  checks.push_back({"environment", Status::kInfo,
                    fmt::format("whatcar {}{}, libtorch {}, {} threads, CPU {}", WHATCAR_VERSION,
                                *WHATCAR_GIT_COMMIT ? fmt::format(" (git {})", WHATCAR_GIT_COMMIT) : "",
                                torch_version(), threads, cpu_features())});
  int passed = 0, failed = 0;
  for (const auto& c : checks) {
    passed += c.status == Status::kPass;
    failed += c.status == Status::kFail;
  }
  print_report(checks, opts.format, passed, failed);
  return failed ? kExitSomeFailed : kExitOk;
}

}  // namespace whatcar
