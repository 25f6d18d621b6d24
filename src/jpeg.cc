#include "jpeg.h"

namespace whatcar {
namespace {

constexpr uint8_t kSos = 0xDA, kEoi = 0xD9, kDht = 0xC4;

bool standalone(uint8_t marker) { return (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xD8; }

// Past the entropy-coded data starting at pos: the next 0xFF that starts a real marker.
size_t skip_entropy_data(const uint8_t* data, size_t size, size_t pos) {
  while (pos + 1 < size) {
    if (data[pos] == 0xFF && data[pos + 1] != 0x00 && !(data[pos + 1] >= 0xD0 && data[pos + 1] <= 0xD7)) return pos;
    ++pos;
  }
  return size;
}

}  // namespace

bool walk_jpeg_segments(const uint8_t* data, size_t size,
                        const std::function<bool(uint8_t, const uint8_t*, size_t)>& visit) {
  if (size < 2 || data[0] != 0xFF || data[1] != 0xD8) return false;
  size_t pos = 2;
  while (pos + 2 <= size) {
    if (data[pos] != 0xFF) {  // stray bytes between segments: stb_image scans past them, so must we
      ++pos;
      continue;
    }
    const uint8_t marker = data[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == kEoi) return true;
    if (standalone(marker)) {
      pos += 2;
      continue;
    }
    if (pos + 4 > size) return false;
    const size_t length = static_cast<size_t>(data[pos + 2]) << 8 | data[pos + 3];
    if (length < 2) return false;
    if (length > size - pos - 2) {
      // Truncated: stb_image still acts on the part that is there (a DHT's counts), so show it.
      visit(marker, data + pos + 4, size - pos - 4);
      return false;
    }
    if (!visit(marker, data + pos + 4, length - 2)) return false;
    pos += 2 + length;
    if (marker == kSos) pos = skip_entropy_data(data, size, pos);
  }
  return false;
}

std::string jpeg_unsafe_reason(const uint8_t* data, size_t size) {
  std::string reason;
  walk_jpeg_segments(data, size, [&](uint8_t marker, const uint8_t* body, size_t n) {
    if (marker != kDht) return true;
    size_t p = 0;
    while (p < n) {
      // Counts past the end of the file read as 0, as stb_image's reader returns them.
      size_t codes = 0;
      for (size_t i = 1; i <= 16 && p + i < n; ++i) codes += body[p + i];
      if (codes > 256) {
        reason = "corrupt JPEG (Huffman table with more than 256 codes)";
        return false;
      }
      p += 17 + codes;
    }
    return true;
  });
  return reason;
}

}  // namespace whatcar
