#include "image/read_input.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "image/format.h"
#include "util/error.h"
#include "util/interrupt.h"

namespace whatcar {
namespace {

// Enough for every signature and most headers; a JPEG's size can sit behind large EXIF, ICC
// and XMP segments, so the header is looked for in up to kHeaderBytes.
constexpr size_t kSniffBytes = size_t{64} << 10;
constexpr size_t kHeaderBytes = size_t{4} << 20;

std::string megabytes(uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    if (path == "-") {
      fd_ = STDIN_FILENO;
    } else {
      // Non-blocking open: a FIFO without a writer must not block here, where no signal can
      // wake it; the reads below wait for the writer in poll() instead.
      fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd_ < 0) throw InputError(path, std::strerror(errno));
      owned_ = true;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw InputError(path, std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw InputError(path, "is a directory");
    if (S_ISREG(st.st_mode)) size_ = static_cast<uint64_t>(st.st_size);
  }
  ~Reader() {
    if (owned_) ::close(fd_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The file's size, for regular files.
  std::optional<uint64_t> size() const { return size_; }
  bool at_end() const { return eof_; }

  // Appends to `bytes` until it holds `target` bytes or the input ends.
  void fill(std::vector<uint8_t>& bytes, size_t target) {
    while (bytes.size() < target && !eof_) {
      if (!size_) wait_readable();
      const size_t old = bytes.size();
      bytes.resize(std::min(target, old + (size_t{1} << 20)));
      const ssize_t n = ::read(fd_, bytes.data() + old, bytes.size() - old);
      bytes.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
      if (n == 0) eof_ = true;
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        throw InputError(path_, fmt::format("read error: {}", std::strerror(errno)));
      }
    }
  }

 private:
  void wait_readable() {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {interrupt::wake_fd(), POLLIN, 0}};
    const nfds_t count = fds[1].fd >= 0 ? 2 : 1;
    while (::poll(fds, count, -1) < 0) {
      if (errno != EINTR) throw InputError(path_, fmt::format("read error: {}", std::strerror(errno)));
    }
    if (interrupt::requested()) throw InputError(path_, "interrupted");
  }

  std::string path_;
  int fd_ = -1;
  bool owned_ = false;
  bool eof_ = false;
  std::optional<uint64_t> size_;
};

}  // namespace

std::vector<uint8_t> read_input(const std::string& path, const ReadLimits& limits) {
  Reader in(path);
  if (in.size() && *in.size() > limits.max_bytes) {
    throw InputError(path, fmt::format("file is {}, over the limit of {} (--max-bytes)", megabytes(*in.size()),
                                       megabytes(limits.max_bytes)));
  }
  std::vector<uint8_t> bytes;
  in.fill(bytes, static_cast<size_t>(std::min<uint64_t>(kSniffBytes, limits.max_bytes)));
  const std::string format = sniff_format(bytes);
  check_decodable(bytes, format, path);

  std::optional<Dimensions> dims = header_dimensions(bytes, format);
  while (!dims && !in.at_end() && bytes.size() < std::min<uint64_t>(kHeaderBytes, limits.max_bytes)) {
    in.fill(bytes, std::min<size_t>(bytes.size() * 2, kHeaderBytes));
    dims = header_dimensions(bytes, format);
  }
  // Without dimensions the decoder reports what is wrong with the header; the byte cap still holds.
  uint64_t cap = limits.max_bytes;
  std::string limit_name = "--max-bytes";
  if (dims) {
    check_pixel_limit(path, *dims, limits.max_pixels);
    if (const uint64_t plausible = plausible_file_size(format, *dims); plausible && plausible < cap) {
      cap = plausible;
      limit_name = fmt::format("what a {}x{} {} can hold", dims->width, dims->height, format);
    }
  }
  if (in.size()) {
    if (*in.size() > cap) {
      throw InputError(path, fmt::format("file is {}, more than {} ({})", megabytes(*in.size()), megabytes(cap),
                                         limit_name));
    }
    bytes.reserve(static_cast<size_t>(*in.size()));
  }
  // One byte past the cap tells a stream that ends exactly there from one that goes on.
  in.fill(bytes, static_cast<size_t>(cap) + 1);
  if (bytes.size() > cap) {
    throw InputError(path, fmt::format("input goes on past {} ({})", megabytes(cap), limit_name));
  }
  return bytes;
}

}  // namespace whatcar
