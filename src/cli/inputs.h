// Enumerating batch inputs: files, directories (sorted, recursive walk), and path lists from
// stdin or a file (newline- or NUL-separated), optionally sharded. Streams: nothing is listed
// ahead of need, so `find / | whatcar batch -` starts at once and memory stays flat.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace whatcar {

struct Shard {
  uint64_t index = 0;
  uint64_t count = 1;
};

// "I/N" with 0 <= I < N; throws UsageError.
Shard parse_shard(const std::string& text);

struct InputOptions {
  std::vector<std::string> paths;   // files, directories, or "-" for a list on stdin
  std::string files_from;           // a file holding a list of paths
  bool null_separated = false;      // lists are NUL-separated (find -print0)
  bool recursive = true;
  std::vector<std::string> extensions;  // lower-case, with the dot; for directory walks only
  Shard shard;
};

// "jpg,PNG" -> {".jpg", ".png"}; empty -> empty (meaning the default set).
std::vector<std::string> parse_extensions(const std::string& list);

// Extensions of the formats whatcar decodes.
const std::vector<std::string>& default_extensions();

struct InputItem {
  std::string path;
  std::optional<std::string> error;  // the input could not be enumerated (unreadable dir, loop)
};

class InputSource {
 public:
  explicit InputSource(InputOptions opts);
  ~InputSource();
  // The next input of this shard, in deterministic order; false at the end.
  bool next(InputItem* item);

 private:
  bool next_unsharded(InputItem* item);
  bool next_from_walk(InputItem* item);
  bool next_from_list(InputItem* item);
  void open_directory(const std::string& dir);
  bool wanted(const std::string& path) const;

  InputOptions opts_;
  size_t arg_ = 0;
  uint64_t seen_ = 0;
  struct Frame;
  std::vector<std::unique_ptr<Frame>> stack_;
  std::set<std::pair<uint64_t, uint64_t>> active_dirs_;  // (device, inode) on the walk's path: loop guard
  std::FILE* list_ = nullptr;       // the list being read now
  std::FILE* list_file_ = nullptr;  // --files-from FILE, owned
  bool files_from_done_ = false;
  std::vector<InputItem> pending_;
};

}  // namespace whatcar
