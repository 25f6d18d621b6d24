// whatcar: which car is in this photo. This file only wires the command line to the commands.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "batch.h"
#include "classify.h"
#include "error.h"
#include "output.h"
#include "verify.h"
#include "version_info.h"

namespace {

constexpr const char* kExitCodes =
    "Exit status: 0 all inputs classified, 1 some inputs failed (each reported as "
    "'whatcar: <file>: <reason>'), 2 usage error or unusable model.";

void add_model_options(CLI::App* cmd, whatcar::ModelOptions& m) {
  cmd->add_option("-m,--model", m.model,
                  "TorchScript model file (default: $WHATCAR_MODEL, else the bundled model)");
  cmd->add_option("-t,--threads", m.threads, "libtorch threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--min-confidence", m.min_confidence,
                  "top-1 probability under which the answer is 'no confident car match' (default: the model's)")
      ->check(CLI::Range(0.0, 1.0));
}

// `whatcar photo.jpg` means `whatcar classify photo.jpg`.
std::vector<std::string> with_default_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const std::vector<std::string> top_level{"classify", "batch", "verify", "-h", "--help", "--version"};
  if (!args.empty() && std::find(top_level.begin(), top_level.end(), args[0]) == top_level.end()) {
    args.insert(args.begin(), "classify");
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes vectors in reverse order
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"whatcar: tells you which car (make, model, body, year) is in a photo.\n", "whatcar"};
  app.footer(kExitCodes);
  app.require_subcommand(0, 1);
  std::string version_model;
  bool show_version = false;
  app.add_flag("--version", show_version, "print versions of whatcar, libtorch and the model, then exit");

  whatcar::ClassifyOptions classify;
  CLI::App* cmd = app.add_subcommand("classify", "top-k predictions for each image (the default command)");
  cmd->footer(std::string("Example: whatcar photo.jpg; curl -s URL | whatcar -\n") + kExitCodes);
  cmd->add_option("images", classify.inputs, "image files (JPEG, PNG, BMP, GIF, TGA, PSD, PNM); - reads stdin")
      ->required();
  cmd->add_option("-k,--top", classify.top_k, "number of predictions per image")->check(CLI::PositiveNumber);
  cmd->add_option("-f,--format", classify.format, "output format")->check(CLI::IsMember(whatcar::format_names()));
  cmd->add_flag("--timings", classify.timings, "report decode, preprocess and inference times (stderr, or in json)");
  cmd->add_flag("-q,--quiet", classify.quiet, "print nothing on stderr but fatal errors");
  cmd->add_option("--max-pixels", classify.max_pixels, "refuse images larger than this (from the header)")
      ->check(CLI::PositiveNumber);
  add_model_options(cmd, classify.model);

  whatcar::BatchOptions batch;
  std::string shard, extensions;
  bool no_recursive = false;
  CLI::App* bcmd = app.add_subcommand("batch", "classify folders and path lists fast; one record per input");
  bcmd->footer(
      "Examples:\n  whatcar batch ~/photos > results.jsonl\n  find . -name '*.jpg' -print0 | whatcar batch -0 -\n"
      "  whatcar batch --files-from list.txt -o results.csv\n"
      "Records stream in input order; the summary (files, classified, failed, images/s) goes to stderr.\n"
      "Exit status: 0 all classified, 1 some failed, 2 usage error or unusable model, 130 interrupted.");
  bcmd->add_option("inputs", batch.inputs.paths, "files, directories (walked in sorted order), or - for a list on stdin");
  bcmd->add_option("--files-from", batch.inputs.files_from, "read paths from this file (- for stdin)");
  bcmd->add_flag("-0,--null", batch.inputs.null_separated, "lists are NUL-separated (find -print0)");
  bcmd->add_flag("--no-recursive", no_recursive, "do not descend into subdirectories");
  bcmd->add_option("--ext", extensions, "extensions to take from directories, comma-separated (default: all supported)");
  bcmd->add_option("--shard", shard, "I/N: only inputs whose index modulo N is I, to split work across processes");
  bcmd->add_option("-o,--output", batch.output, "write here, atomically (format from the extension by default)");
  bcmd->add_option("-f,--format", batch.format, "output format (default: jsonl, text on a terminal)")
      ->check(CLI::IsMember(whatcar::format_names()));
  bcmd->add_option("-k,--top", batch.top_k, "predictions per image")->check(CLI::PositiveNumber);
  bcmd->add_option("-b,--batch-size", batch.batch_size, "images per inference batch (default 8)")
      ->check(CLI::PositiveNumber);
  bcmd->add_option("-j,--workers", batch.workers, "decoding threads (default: one per two cores)")
      ->check(CLI::PositiveNumber);
  bcmd->add_flag("-q,--quiet", batch.quiet, "no progress, per-file errors or summary on stderr");
  bcmd->add_option("--max-pixels", batch.max_pixels, "refuse images larger than this (from the header)")
      ->check(CLI::PositiveNumber);
  add_model_options(bcmd, batch.model);

  whatcar::VerifyOptions verify;
  CLI::App* vcmd = app.add_subcommand("verify", "check that this binary, libtorch and model still agree (for CI)");
  vcmd->footer(
      "Checks: integrity (sha256 against SHA256SUMS beside the model or --sha256), contract (metadata, label "
      "count = output width), reproducibility (the probe images stored at export give the exported logits), "
      "golden (optional CSV of path,expected_label), environment.\n"
      "Exit status: 0 all checks passed, 1 a check failed, 2 verify could not run.");
  vcmd->add_option("--sha256", verify.sha256, "expected sha256 of the model file (default: from SHA256SUMS)");
  vcmd->add_option("--golden", verify.golden, "CSV of path,expected_label: fail if a top-1 differs");
  vcmd->add_option("--min-accuracy", verify.min_accuracy, "with --golden: pass at this top-1 accuracy (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  vcmd->add_option("--tolerance", verify.tolerance, "largest allowed |logit difference| on the probes")
      ->check(CLI::PositiveNumber);
  vcmd->add_option("-f,--format", verify.format, "report format")->check(CLI::IsMember({"text", "json"}));
  add_model_options(vcmd, verify.model);

  try {
    try {
      app.parse(with_default_command(argc, argv));
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() != 0) {
        fmt::print(stderr, "whatcar: {}\nRun 'whatcar --help' for usage.\n", e.what());
        return whatcar::kExitUsage;
      }
      return app.exit(e);
    }
    if (show_version) {
      fmt::print("{}", whatcar::version_report(version_model));
      return whatcar::kExitOk;
    }
    if (cmd->parsed()) return whatcar::run_classify(classify);
    if (vcmd->parsed()) return whatcar::run_verify(verify);
    if (bcmd->parsed()) {
      batch.inputs.recursive = !no_recursive;
      if (!shard.empty()) batch.inputs.shard = whatcar::parse_shard(shard);
      batch.inputs.extensions = whatcar::parse_extensions(extensions);
      return whatcar::run_batch(batch);
    }
    fmt::print("{}", app.help());
    return whatcar::kExitUsage;
  } catch (const whatcar::Error& e) {
    if (e.subject().empty()) {
      fmt::print(stderr, "whatcar: {}\n", e.what());
    } else {
      fmt::print(stderr, "whatcar: {}: {}\n", e.subject(), e.what());
    }
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "whatcar: internal error: {}\n", e.what());
    return whatcar::kExitUsage;
  }
}
