#include "output/atomic_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "util/error.h"

namespace whatcar {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const auto p = std::filesystem::path(path_);
  std::string tmpl = (p.parent_path() / ("." + p.filename().string() + ".partial-XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) throw Error(path_, fmt::format("cannot create output: {}", std::strerror(errno)), kExitUsage);
  temp_ = buf.data();
  file_ = ::fdopen(fd, "w");
  if (!file_) {
    ::close(fd);
    ::unlink(temp_.c_str());
    throw Error(path_, fmt::format("cannot create output: {}", std::strerror(errno)), kExitUsage);
  }
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (file_) std::fclose(file_);
  ::unlink(temp_.c_str());
}

void AtomicFile::commit() {
  const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int err = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) throw Error(path_, fmt::format("write error: {}", std::strerror(ok ? errno : err)), kExitSomeFailed);
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    throw Error(path_, fmt::format("cannot rename {} into place: {}", temp_, std::strerror(errno)), kExitSomeFailed);
  }
  committed_ = true;
}

}  // namespace whatcar
