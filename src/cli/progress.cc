#include "cli/progress.h"

#include <fmt/format.h>

namespace whatcar {

void Progress::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done != total) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? done / seconds : 0;
  std::string line;
  if (total > 0) {
    const double eta = rate > 0 ? (total - done) / rate : 0;
    line = fmt::format("{}/{} {:3.0f}%  {:.1f} img/s  ETA {}:{:02d}", done, total, 100.0 * done / total, rate,
                       static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
  } else {
    line = fmt::format("{}/?  {:.1f} img/s", done, rate);
  }
  fmt::print(out_, "\r\x1b[K{}", line);
  std::fflush(out_);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  fmt::print(out_, "\r\x1b[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace whatcar
