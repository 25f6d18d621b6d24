// The batch progress line on a terminal: done/total (when known), rate and ETA.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace whatcar {

class Progress {
 public:
  Progress(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}
  // total = 0 while the inputs are still being enumerated.
  void update(uint64_t done, uint64_t total);
  void clear();

 private:
  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace whatcar
