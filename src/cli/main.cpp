// whatcar: which car is in this photo. This file only wires the command line to the commands.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/batch.h"
#include "cli/classify.h"
#include "cli/serve.h"
#include "cli/verify.h"
#include "cli/version_info.h"
#include "output/writers.h"
#include "util/error.h"
#include "util/interrupt.h"

namespace {

using whatcar::kExitUsage;

constexpr const char* kExitCodes =
    "Exit status: 0 all inputs classified (a photo without a car is an answer: 'no car found'), 1 some "
    "inputs failed (each reported as 'whatcar: <file>: <reason>'), 2 usage error or unusable model, "
    "130 interrupted (SIGINT), 143 terminated (SIGTERM).";

// A subcommand and what running it means once its options are parsed.
struct Command {
  CLI::App* cli;
  std::function<int()> run;
};

void add_model_options(CLI::App* cmd, whatcar::ModelOptions& m, const std::string& threads_default = "all cores") {
  cmd->add_option("-m,--model", m.model, "car classifier file (default: $WHATCAR_MODEL, else the bundled model)");
  cmd->add_option("--detector", m.detector, "car detector file (default: $WHATCAR_DETECTOR, else the bundled detector)");
  cmd->add_flag("--no-detect", m.no_detect, "classify the whole image as given, for photos that are already crops of one car");
  cmd->add_option("-t,--threads", m.threads, fmt::format("libtorch threads (default: {})", threads_default))
      ->check(CLI::NonNegativeNumber);
  std::vector<std::string> precisions;
  for (const auto& [name, value] : whatcar::precision_names()) precisions.push_back(name);
  cmd->add_option_function<std::string>(
         "--precision", [&m](const std::string& name) { m.precision = whatcar::precision_names().at(name); },
         "the classifier's arithmetic: fp32, or bf16 (bfloat16: faster on CPUs with AVX-512 BF16 or AMX, slower "
         "elsewhere; answers differ slightly; the detector stays fp32) (default: fp32)")
      ->check(CLI::IsMember(precisions));
}

// What classify, batch and serve share: how photos become answers. `reads_files`: the command
// reads image files and streams (serve's uploads are bounded by --max-body instead).
void add_recognize_options(CLI::App* cmd, whatcar::RecognizeOptions& r, bool reads_files = true) {
  cmd->add_option("-k,--top", r.top_k, "number of predictions per car")->check(CLI::PositiveNumber);
  cmd->add_flag("--all-cars", r.all_cars, "answer for every car found, the main (largest) car first");
  cmd->add_option("--min-score", r.min_score, "detector score under which a box is not a car (default: the detector's)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--min-box-area", r.min_box_area,
                  "share of the photo under which a box is not a car, e.g. 0 to keep distant cars (default: the detector's)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--crop-margin", r.crop_margin,
                  fmt::format("context around each detected car, as a share of its box's size (default {})",
                              whatcar::kDefaultCropMargin))
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_option("--min-confidence", r.min_confidence,
                  "top-1 probability under which the answer is 'no confident car match' (default: the model's)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-pixels", r.max_pixels, "refuse images larger than this, from their header (default 100 MP)")
      ->check(CLI::PositiveNumber);
  if (reads_files) {
    cmd->add_option("--max-bytes", r.max_bytes, "refuse files and streams longer than this, e.g. 64M (default 256M)")
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::PositiveNumber);
  }
  cmd->add_flag("--full-decode", r.full_decode,
                "decode JPEGs at full size (default: large ones at 1/2-1/8 size, still twice what the model resizes to)");
}

Command add_classify(CLI::App& app) {
  auto o = std::make_shared<whatcar::ClassifyOptions>();
  CLI::App* cmd = app.add_subcommand("classify", "top-k predictions for each image (the default command)");
  cmd->footer(std::string("Finds the cars in each photo, then names the main (largest) one; --all-cars names every "
                          "car, --no-detect classifies the whole image.\n"
                          "Example: whatcar photo.jpg; curl -s URL | whatcar -\n") + kExitCodes);
  cmd->add_option("images", o->inputs,
                  "image files (JPEG, PNG, HEIC, AVIF, WebP, TIFF, JPEG XL, BMP, GIF, TGA, PSD, PNM); - reads stdin")
      ->required();
  cmd->add_option("-f,--format", o->format, "output format")->check(CLI::IsMember(whatcar::format_names()));
  cmd->add_flag("--timings", o->recognize.timings, "report startup, model load, decode, resize, forward and output times (stderr, or in json)");
  cmd->add_flag("-q,--quiet", o->quiet, "print nothing on stderr but fatal errors");
  add_recognize_options(cmd, o->recognize);
  add_model_options(cmd, o->model);
  return {cmd, [o] { return whatcar::run_classify(*o); }};
}

Command add_batch(CLI::App& app) {
  struct Args {
    whatcar::BatchOptions batch;
    std::string shard, extensions;
    bool no_recursive = false;
  };
  auto a = std::make_shared<Args>();
  auto& b = a->batch;
  CLI::App* cmd = app.add_subcommand("batch", "classify folders and path lists fast; one record per input");
  cmd->footer(
      "Examples:\n  whatcar batch ~/photos > results.jsonl\n  find . -name '*.jpg' -print0 | whatcar batch -0 -\n"
      "  whatcar batch --files-from list.txt -o results.csv\n"
      "Records stream in input order; the summary (files, classified, failed, images/s) goes to stderr.\n"
      "Exit status: 0 all classified, 1 some failed, 2 usage error or unusable model, 130 interrupted (SIGINT),\n"
      "143 terminated (SIGTERM); -o leaves no partial file.");
  cmd->add_option("inputs", b.inputs.paths, "files, directories (walked in sorted order), or - for a list on stdin");
  cmd->add_option("--files-from", b.inputs.files_from, "read paths from this file (- for stdin)");
  cmd->add_flag("-0,--null", b.inputs.null_separated, "lists are NUL-separated (find -print0)");
  cmd->add_flag("--no-recursive", a->no_recursive, "do not descend into subdirectories");
  cmd->add_option("--ext", a->extensions, "extensions to take from directories, comma-separated (default: all supported)");
  cmd->add_option("--shard", a->shard, "I/N: only inputs whose index modulo N is I, to split work across processes");
  cmd->add_option("-o,--output", b.output, "write here, atomically (format from the extension by default)");
  cmd->add_option("-f,--format", b.format, "output format (default: jsonl, text on a terminal)")
      ->check(CLI::IsMember(whatcar::format_names()));
  cmd->add_option("-b,--batch-size", b.batch_size, fmt::format("photos a worker takes at once when they are waiting, its classifier pass running on their crops together (default {})",
                                                               whatcar::kDefaultBatchSize))
      ->check(CLI::PositiveNumber);
  cmd->add_option("-j,--workers", b.workers, "threads recognizing photos, each decoding, detecting and classifying its own (default: one per core)")->check(CLI::PositiveNumber);
  cmd->add_flag("-q,--quiet", b.quiet, "no progress, per-file errors or summary on stderr");
  add_recognize_options(cmd, b.recognize);
  add_model_options(cmd, b.model, "cores / workers");
  return {cmd, [a] {
            a->batch.inputs.recursive = !a->no_recursive;
            if (!a->shard.empty()) a->batch.inputs.shard = whatcar::parse_shard(a->shard);
            a->batch.inputs.extensions = whatcar::parse_extensions(a->extensions);
            return whatcar::run_batch(a->batch);
          }};
}

Command add_verify(CLI::App& app) {
  auto o = std::make_shared<whatcar::VerifyOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "check that this binary, libtorch and model still agree (for CI)");
  cmd->footer(
      "Checks: integrity (sha256 against SHA256SUMS beside the model or --sha256), contract (metadata, label "
      "count = output width), reproducibility (the probe images stored at export give the exported logits), "
      "real images (the stored top-5 of a few validation photos), golden (optional CSV of path,expected_label), "
      "then the detector's integrity, metadata, probes and real photos (not with --no-detect), environment.\n"
      "Exit status: 0 all checks passed, 1 a check failed, 2 verify could not run.");
  cmd->add_option("--sha256", o->sha256, "expected sha256 of the model file (default: from SHA256SUMS)");
  cmd->add_option("--images", o->images,
                  "folder holding the real photos whose top-5 the model stored at export "
                  "(default: $WHATCAR_DATA/images, else ~/.cache/whatcar/stanford-cars-rgb/images as "
                  "training/prepare_data.py writes them; skipped if absent)");
  cmd->add_option("--golden", o->golden, "CSV of path,expected_label: fail if a top-1 differs");
  cmd->add_option("--min-accuracy", o->min_accuracy, "with --golden: pass at this top-1 accuracy (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--tolerance", o->tolerance,
                  fmt::format("largest allowed |logit difference| on the probes (default: {} in fp32, the model's own in "
                              "other precisions)", whatcar::kDefaultTolerance))
      ->check(CLI::PositiveNumber);
  cmd->add_option("-f,--format", o->format, "report format")->check(CLI::IsMember({"text", "json"}));
  add_model_options(cmd, o->model);
  return {cmd, [o] { return whatcar::run_verify(*o); }};
}

Command add_serve(CLI::App& app) {
  auto o = std::make_shared<whatcar::ServeOptions>();
  auto& s = o->server;
  CLI::App* cmd = app.add_subcommand("serve", "the photo-upload service: a web page and a JSON endpoint");
  cmd->footer(
      "Endpoints: GET / (the upload page), POST /v1/classify (the image as the body or the form field 'image'; "
      "?top=5&all_cars=1&no_detect=1; answers the JSON record of --format json), GET /healthz, GET /metrics.\n"
      "Examples:\n  whatcar serve                       # http://127.0.0.1:8080/\n"
      "  whatcar serve --bind 0.0.0.0       # reachable from the network (phones on the same Wi-Fi)\n"
      "  curl --data-binary @photo.jpg localhost:8080/v1/classify\n"
      "SIGINT or SIGTERM stops accepting, lets the requests in flight finish, and exits 0.");
  cmd->add_option("--bind", s.bind, "address to listen on; 0.0.0.0 or :: for every interface")->capture_default_str();
  cmd->add_option("-p,--port", s.port, "TCP port; 0 picks a free one")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--max-body", s.max_body, "largest request body, e.g. 50M (413 beyond)")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("20M")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-connections", s.max_connections, "open connections; more get 503")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeout", s.request_timeout_s, "seconds a client has to send its whole request (408 or 400 beyond)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("-j,--workers", o->workers, "threads running the networks (default: one per core)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--queue", o->queue, fmt::format("photos that may wait for a worker; more get 503 (default: {} per worker)",
                                                 whatcar::kQueuePerWorker))
      ->check(CLI::PositiveNumber);
  cmd->add_flag("-q,--quiet", o->quiet, "no access log on stderr (the start and stop lines stay)");
  add_recognize_options(cmd, o->recognize, false);
  add_model_options(cmd, o->model, "cores / workers");
  return {cmd, [o] { return whatcar::run_serve(*o); }};
}

// `whatcar photo.jpg` means `whatcar classify photo.jpg`.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const std::vector<std::string> top_level{"classify", "batch", "verify", "serve", "-h", "--help", "--version"};
  if (!args.empty() && std::find(top_level.begin(), top_level.end(), args[0]) == top_level.end()) {
    args.insert(args.begin(), "classify");
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes vectors in reverse order
  return args;
}

int run(int argc, char** argv) {
  CLI::App app{"whatcar: tells you which car (make, model, body, year) is in a photo.\n", "whatcar"};
  app.footer(kExitCodes);
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version,
               "print versions of whatcar, libtorch and the models ($WHATCAR_MODEL, $WHATCAR_DETECTOR or bundled), then exit");
  const std::vector<Command> commands{add_classify(app), add_batch(app), add_verify(app), add_serve(app)};

  try {
    try {
      app.parse(with_default_command(argc, argv));
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() != 0) {
        fmt::print(stderr, "whatcar: {}\nRun 'whatcar --help' for usage.\n", e.what());
        return kExitUsage;
      }
      return app.exit(e);
    }
    if (show_version) {
      fmt::print("{}", whatcar::version_report());
      return whatcar::kExitOk;
    }
    for (const auto& c : commands) {
      if (c.cli->parsed()) return c.run();
    }
    fmt::print("{}", app.help());
    return kExitUsage;
  } catch (const whatcar::Error& e) {
    if (e.subject().empty()) {
      fmt::print(stderr, "whatcar: {}\n", e.what());
    } else {
      fmt::print(stderr, "whatcar: {}: {}\n", e.subject(), e.what());
    }
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "whatcar: internal error: {}\n", e.what());
    return kExitUsage;
  }
}

}  // namespace

int main(int argc, char** argv) {
  whatcar::interrupt::install();
  const int status = run(argc, argv);
  std::fflush(nullptr);
#ifndef __SANITIZE_ADDRESS__
  // Leave without running static destructors: libtorch's deregister its ~2,000 operators one
  // by one, ~80 ms of a 400 ms single-photo run (bench/cold_single.sh). Nothing of whatcar's
  // needs them; every file is written and closed inside the commands. (Sanitized builds exit
  // normally: LeakSanitizer checks at exit.)
  std::_Exit(status);
#endif
  return status;
}
