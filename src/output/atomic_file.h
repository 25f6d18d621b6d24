// An output file that appears under its name only when complete: written to a temporary
// file beside it, renamed on commit(), removed otherwise (error, Ctrl-C, crash before commit).
#pragma once

#include <cstdio>
#include <string>

namespace whatcar {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);  // throws Error naming path
  ~AtomicFile();                          // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::FILE* stream() { return file_; }
  const std::string& temp_path() const { return temp_; }
  void commit();  // flush, sync, close, rename; throws Error on any failure

 private:
  std::string path_;
  std::string temp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

}  // namespace whatcar
