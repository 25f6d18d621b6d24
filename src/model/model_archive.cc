#include "model/model_archive.h"

#include <fmt/format.h>
#include <torch/csrc/jit/mobile/file_format.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <vector>

#include "util/error.h"

namespace whatcar {
namespace {

// Little-endian fields of the zip format (APPNOTE.TXT, sections 4.3.7, 4.3.12 and 4.3.16).
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kMaxCommentSize = 0xffff;
// libtorch picks a file's format from its first 8 bytes (torch/csrc/jit/mobile/file_format.h).
constexpr size_t kFormatHeadSize = 8;

uint32_t u16(const unsigned char* p) { return p[0] | p[1] << 8; }
uint32_t u32(const unsigned char* p) { return u16(p) | static_cast<uint32_t>(u16(p + 2)) << 16; }

class Archive {
 public:
  explicit Archive(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    in_.seekg(0, std::ios::end);
    size_ = in_ ? static_cast<uint64_t>(in_.tellg()) : 0;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(path_, fmt::format("not a loadable TorchScript model: {}", what));
  }

  uint64_t size() const { return size_; }

  // `n` bytes at `offset`, which must lie inside the file.
  std::vector<unsigned char> read(uint64_t offset, uint64_t n, const char* what) {
    if (offset > size_ || n > size_ - offset) fail(fmt::format("{} lies outside the file", what));
    std::vector<unsigned char> buf(n);
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    if (!in_.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n))) {
      fail(fmt::format("could not read its {}", what));
    }
    return buf;
  }

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
};

// Raw tensor storages: "data/7" as torch.jit.save names them, "constants/7.storage" for the
// lite interpreter's constants.
bool is_tensor_storage(const std::string& name) {
  const auto slash = name.rfind('/');
  std::string last = slash == std::string::npos ? name : name.substr(slash + 1);
  const std::string suffix = ".storage";
  if (last.size() > suffix.size() && last.compare(last.size() - suffix.size(), suffix.size(), suffix) == 0) {
    last.resize(last.size() - suffix.size());
  }
  return !last.empty() && std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void check_record_crc(Archive& archive, const std::string& name, uint64_t local_offset, uint64_t stored_size,
                      uint32_t expected_crc) {
  const auto header = archive.read(local_offset, kLocalHeaderSize, "local file header");
  if (u32(header.data()) != kLocalHeaderSig) archive.fail(fmt::format("record {} has no local file header", name));
  const uint64_t data_offset = local_offset + kLocalHeaderSize + u16(header.data() + 26) + u16(header.data() + 28);
  const auto data = archive.read(data_offset, stored_size, "record data");
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib's crc32 takes at most UINT_MAX bytes at a time; records here are far smaller.
  crc = crc32(crc, data.data(), static_cast<uInt>(data.size()));
  if (crc != expected_crc) archive.fail(fmt::format("record {} fails its CRC-32 check (damaged file)", name));
}

}  // namespace

void check_model_archive(const std::string& path) {
  Archive archive(path);
  if (archive.size() < kFormatHeadSize ||
      torch::jit::getFileFormat(reinterpret_cast<const char*>(archive.read(0, kFormatHeadSize, "head").data())) !=
          torch::jit::FileFormat::ZipFileFormat) {
    archive.fail("not a zip archive");
  }
  if (archive.size() < kEndOfCentralDirSize) archive.fail("zip archive too short");
  const uint64_t tail_size = std::min<uint64_t>(archive.size(), kEndOfCentralDirSize + kMaxCommentSize);
  const auto tail = archive.read(archive.size() - tail_size, tail_size, "end of central directory");
  // The end record is the last signature whose comment length reaches the end of the file.
  int64_t eocd = -1;
  for (int64_t i = static_cast<int64_t>(tail_size - kEndOfCentralDirSize); i >= 0; --i) {
    const unsigned char* p = tail.data() + i;
    if (u32(p) == kEndOfCentralDirSig && i + kEndOfCentralDirSize + u16(p + 20) == tail_size) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) archive.fail("no zip end of central directory (truncated file?)");
  const unsigned char* end = tail.data() + eocd;
  const uint32_t entries = u16(end + 10);
  const auto dir = archive.read(u32(end + 16), u32(end + 12), "central directory");
  size_t pos = 0;
  for (uint32_t i = 0; i < entries; ++i) {
    if (dir.size() - pos < kCentralHeaderSize || u32(dir.data() + pos) != kCentralHeaderSig) {
      archive.fail("zip central directory is damaged");
    }
    const unsigned char* h = dir.data() + pos;
    const size_t name_len = u16(h + 28);
    const size_t entry_size = kCentralHeaderSize + name_len + u16(h + 30) + u16(h + 32);
    if (dir.size() - pos < entry_size) archive.fail("zip central directory is damaged");
    const std::string name(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);
    // Method 0 (stored) is what torch.save writes; a compressed record is left to libtorch.
    if (u16(h + 10) == 0 && !is_tensor_storage(name)) {
      check_record_crc(archive, name, u32(h + 42), u32(h + 20), u32(h + 16));
    }
    pos += entry_size;
  }
}

}  // namespace whatcar
