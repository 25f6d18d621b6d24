// whatcar: which car is in this photo. This file only wires the command line to the commands.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "classify.h"
#include "error.h"
#include "output.h"
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
  static const std::vector<std::string> top_level{"classify", "-h", "--help", "--version"};
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
