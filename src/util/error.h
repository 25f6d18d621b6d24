// Errors are exceptions carrying the subject they concern (a file, the model) and the
// exit status they imply; main() is the one place that prints and exits.
#pragma once

#include <stdexcept>
#include <string>

namespace whatcar {

enum ExitCode : int {
  kExitOk = 0,
  kExitSomeFailed = 1,  // some inputs could not be classified
  kExitUsage = 2,       // bad command line, unusable model, or the tool itself could not run
};

class Error : public std::runtime_error {
 public:
  Error(std::string subject, const std::string& what, int exit_code)
      : std::runtime_error(what), subject_(std::move(subject)), exit_code_(exit_code) {}
  const std::string& subject() const { return subject_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string subject_;
  int exit_code_;
};

// One input (an image file) is unusable; the others still get classified.
struct InputError : Error {
  InputError(std::string path, const std::string& what) : Error(std::move(path), what, kExitSomeFailed) {}
};

// The model file is missing, corrupt or breaks the metadata contract.
struct ModelError : Error {
  ModelError(std::string path, const std::string& what) : Error(std::move(path), what, kExitUsage) {}
};

struct UsageError : Error {
  explicit UsageError(const std::string& what) : Error("", what, kExitUsage) {}
};

}  // namespace whatcar
