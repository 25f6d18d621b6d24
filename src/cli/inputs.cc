#include "cli/inputs.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace fs = std::filesystem;

namespace whatcar {

struct InputSource::Frame {
  std::string dir;
  std::pair<uint64_t, uint64_t> id;
  std::vector<std::string> entries;  // sorted names
  size_t pos = 0;
};

Shard parse_shard(const std::string& text) {
  Shard s;
  const auto slash = text.find('/');
  try {
    size_t a = 0, b = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    s.index = std::stoull(text.substr(0, slash), &a);
    s.count = std::stoull(text.substr(slash + 1), &b);
    if (a != slash || b != text.size() - slash - 1) throw std::invalid_argument("trailing text");
  } catch (const std::exception&) {
    throw UsageError(fmt::format("--shard '{}': expected I/N, e.g. 0/4", text));
  }
  if (s.count == 0 || s.index >= s.count) throw UsageError(fmt::format("--shard '{}': need 0 <= I < N", text));
  return s;
}

std::vector<std::string> parse_extensions(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size() && !list.empty()) {
    const size_t end = std::min(list.find(',', start), list.size());
    std::string ext = list.substr(start, end - start);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!ext.empty()) out.push_back(ext[0] == '.' ? ext : "." + ext);
    start = end + 1;
  }
  return out;
}

const std::vector<std::string>& default_extensions() {
  static const std::vector<std::string> ext{".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".gif", ".tga",
                                            ".psd", ".pnm", ".ppm", ".pgm", ".pbm", ".heic", ".heif", ".avif",
                                            ".webp", ".tif", ".tiff", ".jxl"};
  return ext;
}

InputSource::InputSource(InputOptions opts) : opts_(std::move(opts)) {
  if (opts_.extensions.empty()) opts_.extensions = default_extensions();
  if (!opts_.files_from.empty() && opts_.files_from != "-") {
    // Opened now so that a missing list is a usage error before any work starts.
    list_file_ = std::fopen(opts_.files_from.c_str(), "r");
    if (!list_file_) throw UsageError(fmt::format("{}: {}", opts_.files_from, std::strerror(errno)));
  }
}

InputSource::~InputSource() {
  if (list_file_) std::fclose(list_file_);
}

bool InputSource::wanted(const std::string& path) const {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(opts_.extensions.begin(), opts_.extensions.end(), ext) != opts_.extensions.end();
}

void InputSource::open_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    pending_.push_back({dir, fmt::format("cannot read directory: {}", std::strerror(errno))});
    return;
  }
  const std::pair<uint64_t, uint64_t> id{st.st_dev, st.st_ino};
  if (active_dirs_.count(id)) {
    pending_.push_back({dir, "directory loop (a symlink points back to a parent); skipped"});
    return;
  }
  auto frame = std::make_unique<Frame>();
  frame->dir = dir;
  frame->id = id;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    frame->entries.push_back(it->path().filename().string());
  }
  if (ec) {
    pending_.push_back({dir, fmt::format("cannot read directory: {}", ec.message())});
    return;
  }
  std::sort(frame->entries.begin(), frame->entries.end());
  active_dirs_.insert(id);
  stack_.push_back(std::move(frame));
}

bool InputSource::next_from_walk(InputItem* item) {
  while (!stack_.empty()) {
    if (!pending_.empty()) break;
    Frame& top = *stack_.back();
    if (top.pos == top.entries.size()) {
      active_dirs_.erase(top.id);
      stack_.pop_back();
      continue;
    }
    const std::string path = (fs::path(top.dir) / top.entries[top.pos++]).string();
    std::error_code ec;
    const fs::file_type type = fs::status(path, ec).type();
    if (type == fs::file_type::directory) {
      if (opts_.recursive) open_directory(path);
      continue;
    }
    if (!wanted(path)) continue;
    // A FIFO would block the walk until someone writes to it, a device may never end: they are
    // reported, never opened. (Broken links and unreadable entries are opened, to say why.)
    const bool special = type == fs::file_type::fifo || type == fs::file_type::socket ||
                         type == fs::file_type::block || type == fs::file_type::character;
    *item = {path, special ? std::optional<std::string>("not a regular file, skipped") : std::nullopt};
    return true;
  }
  if (!pending_.empty()) {
    *item = pending_.front();
    pending_.erase(pending_.begin());
    return true;
  }
  return false;
}

bool InputSource::next_from_list(InputItem* item) {
  const int sep = opts_.null_separated ? '\0' : '\n';
  std::string path;
  for (;;) {
    const int c = std::fgetc(list_);
    if (c == EOF) {
      if (path.empty()) return false;
      break;
    }
    if (c == sep) {
      if (path.empty()) continue;  // blank lines
      break;
    }
    path.push_back(static_cast<char>(c));
  }
  if (!opts_.null_separated && !path.empty() && path.back() == '\r') path.pop_back();
  *item = {path, std::nullopt};
  return true;
}

bool InputSource::next_unsharded(InputItem* item) {
  for (;;) {
    if (next_from_walk(item)) return true;
    if (list_) {
      if (next_from_list(item)) return true;
      list_ = nullptr;
    }
    if (arg_ == opts_.paths.size()) {
      if (opts_.files_from.empty() || files_from_done_) return false;
      files_from_done_ = true;  // --files-from comes after the positional inputs
      list_ = list_file_ ? list_file_ : stdin;
      continue;
    }
    const std::string& arg = opts_.paths[arg_++];
    std::error_code ec;
    if (arg == "-") {
      list_ = stdin;
    } else if (fs::is_directory(arg, ec)) {
      open_directory(arg);
    } else {
      *item = {arg, std::nullopt};  // files named explicitly are taken whatever their extension
      return true;
    }
  }
}

bool InputSource::next(InputItem* item) {
  while (next_unsharded(item)) {
    if (seen_++ % opts_.shard.count == opts_.shard.index) return true;
  }
  return false;
}

}  // namespace whatcar
