#include "cli/classify.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include "output/writers.h"
#include "pipeline/recognizer.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/process_clock.h"
#include "util/stopwatch.h"

namespace whatcar {

int run_classify(const ClassifyOptions& opts) {
  const Format format = parse_format(opts.format);
  if (opts.inputs.empty()) throw UsageError("no images given (try: whatcar photo.jpg)");
  if (opts.recognize.top_k < 1) throw UsageError("--top must be at least 1");
  // Read before the model loads, and only on request: it costs a /proc read.
  const std::optional<double> startup_ms = opts.recognize.timings ? ms_since_process_start() : std::nullopt;
  // Every core unless -t says otherwise: with the detector's 512x512 pass in each photo,
  // bench/classify_threads.sh gives 1.01x (1 photo) and 1.58x (10 photos) the speed of one
  // thread; before the detector one thread had tied (0.99x / 0.98x). `batch` and `serve`
  // recognize one photo per core instead (prepare_workers).
  set_torch_threads(opts.model.threads);
  reserve_tensor_memory(1);
  Stopwatch load_clock;
  Networks networks = load_networks(opts.model);
  const double load_ms = load_clock.lap_ms();
  Recognizer recognizer(networks.classifier, networks.detector_or_null(), opts.recognize);
  if (opts.recognize.timings && !opts.quiet) {
    const int threads = at::get_num_threads();
    fmt::print(stderr,
               "whatcar: timings: startup {} (exec and loading libtorch, before main), model load {:.1f} ms{}, "
               "{} libtorch thread{}\n",
               startup_ms ? fmt::format("{:.0f} ms", *startup_ms) : "unknown", load_ms,
               networks.detector ? " (detector and classifier)" : "", threads, threads == 1 ? "" : "s");
  }

  auto writer = make_writer(format, stdout, "<stdout>", {opts.inputs.size() > 1});
  writer->begin();
  int failed = 0;
  for (const auto& path : opts.inputs) {
    const Result r = recognizer.recognize(path);
    if (interrupt::requested()) return interrupt::exit_status();
    if (r.error) {
      ++failed;
      if (!opts.quiet) fmt::print(stderr, "whatcar: {}: {}\n", path, *r.error);
    }
    Stopwatch output_clock;
    writer->write(r);
    const double output_ms = output_clock.lap_ms();
    if (r.timings && format == Format::kText && !opts.quiet) {
      const auto& t = *r.timings;
      const std::string scaled = t.decode_scale > 1 ? fmt::format(" (at 1/{} size)", t.decode_scale) : "";
      fmt::print(stderr,
                 "whatcar: timings: {}: read+decode+EXIF {:.1f} ms{}, resize+normalize {:.1f} ms, detect+crop {:.1f} ms, "
                 "classify {:.1f} ms, output {:.2f} ms, total {:.1f} ms\n",
                 path, t.decode_ms, scaled, t.preprocess_ms, t.detect_ms, t.inference_ms, output_ms,
                 t.total_ms + output_ms);
    }
  }
  writer->end();
  return failed ? kExitSomeFailed : kExitOk;
}

}  // namespace whatcar
