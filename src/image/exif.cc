#include "image/exif.h"

#include <algorithm>
#include <cstring>

namespace whatcar {
namespace {

class TiffReader {
 public:
  TiffReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool init() {
    if (size_ < 8) return false;
    if (std::memcmp(data_, "II", 2) == 0) {
      little_ = true;
    } else if (std::memcmp(data_, "MM", 2) == 0) {
      little_ = false;
    } else {
      return false;
    }
    uint16_t magic = 0;
    return u16(2, &magic) && magic == 42;
  }
  bool u16(size_t off, uint16_t* out) const {
    if (off > size_ || size_ - off < 2) return false;
    const uint8_t* p = data_ + off;
    *out = little_ ? static_cast<uint16_t>(p[0] | p[1] << 8) : static_cast<uint16_t>(p[0] << 8 | p[1]);
    return true;
  }
  bool u32(size_t off, uint32_t* out) const {
    uint16_t a = 0, b = 0;
    if (!u16(off, &a) || !u16(off + 2, &b)) return false;
    *out = little_ ? (static_cast<uint32_t>(b) << 16 | a) : (static_cast<uint32_t>(a) << 16 | b);
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  bool little_ = true;
};

// Calls visit(marker, body, body_size) for each segment with a length field up to the first
// SOS, skipping stray bytes between segments as stb_image does; a segment cut short by the end
// of the file is visited with what is there. Never reads outside [data, data + size).
template <typename Visit>
void walk_header_segments(const uint8_t* data, size_t size, Visit visit) {
  if (size < 2 || data[0] != 0xFF || data[1] != 0xD8) return;
  size_t pos = 2;
  while (pos + 2 <= size) {
    const uint8_t marker = data[pos + 1];
    if (data[pos] != 0xFF || marker == 0xFF) {  // stray or fill byte
      ++pos;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return;  // image data starts: no more metadata
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xD8) {
      pos += 2;
      continue;
    }
    if (pos + 4 > size) return;
    const size_t length = static_cast<size_t>(data[pos + 2]) << 8 | data[pos + 3];
    if (length < 2) return;
    const size_t body = std::min(length - 2, size - pos - 4);
    if (!visit(marker, data + pos + 4, body)) return;
    pos += 2 + length;
  }
}

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;

int tiff_orientation(const uint8_t* data, size_t size) {
  TiffReader tiff(data, size);
  uint32_t ifd0 = 0;
  uint16_t count = 0;
  if (!tiff.init() || !tiff.u32(4, &ifd0) || !tiff.u16(ifd0, &count)) return 1;
  // Orientation lives in IFD0, so the IFD chain (a loop risk) is never followed.
  for (uint32_t i = 0; i < count; ++i) {
    size_t entry = static_cast<size_t>(ifd0) + 2 + 12 * static_cast<size_t>(i);
    uint16_t tag = 0, type = 0, value = 0;
    uint32_t n = 0;
    if (!tiff.u16(entry, &tag) || !tiff.u16(entry + 2, &type) || !tiff.u32(entry + 4, &n)) return 1;
    if (tag != kOrientationTag) continue;
    if (type != kTypeShort || n != 1 || !tiff.u16(entry + 8, &value)) return 1;
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

}  // namespace

int exif_block_orientation(const uint8_t* data, size_t size) {
  if (size >= 6 && std::memcmp(data, "Exif\0\0", 6) == 0) return tiff_orientation(data + 6, size - 6);
  return tiff_orientation(data, size);
}

int jpeg_exif_orientation(const uint8_t* data, size_t size) {
  int orientation = 1;
  walk_header_segments(data, size, [&](uint8_t marker, const uint8_t* body, size_t n) {
    if (marker == 0xE1 && n >= 6 && std::memcmp(body, "Exif\0\0", 6) == 0) {
      orientation = tiff_orientation(body + 6, n - 6);
      return false;
    }
    return true;
  });
  return orientation;
}

Image apply_orientation(const Image& image, int orientation) {
  if (orientation < 2 || orientation > 8) return image;
  const bool swap = orientation >= 5;  // 5..8 turn by 90 degrees
  Image out;
  out.scale = image.scale;
  out.width = swap ? image.height : image.width;
  out.height = swap ? image.width : image.height;
  out.rgb.resize(image.rgb.size());
  const int w = image.width, h = image.height;
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2: sx = w - 1 - x; break;                       // mirror horizontal
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;       // rotate 180
        case 4: sy = h - 1 - y; break;                       // mirror vertical
        case 5: sx = y; sy = x; break;                       // transpose
        case 6: sx = y; sy = h - 1 - x; break;               // rotate 90 clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;       // transverse
        case 8: sx = w - 1 - y; sy = x; break;               // rotate 90 counter-clockwise
      }
      std::memcpy(out.at(x, y), image.at(sx, sy), 3);
    }
  }
  return out;
}

}  // namespace whatcar
