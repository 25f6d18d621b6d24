#include "image/format.h"

#include <fmt/format.h>
#include <stb/stb_image.h>

#include <climits>
#include <cstring>

#include "image/jpeg_scaled.h"
#include "util/error.h"

namespace whatcar {
namespace {

bool starts_with(const std::vector<uint8_t>& b, size_t off, const char* magic, size_t n) {
  return b.size() >= off + n && std::memcmp(b.data() + off, magic, n) == 0;
}

template <size_t N>
bool starts_with(const std::vector<uint8_t>& b, size_t off, const char (&magic)[N]) {
  return starts_with(b, off, magic, N - 1);
}

// ISO base media files (HEIC, AVIF) name their brand in an 'ftyp' box at offset 4.
std::string isobmff_brand(const std::vector<uint8_t>& b) {
  if (!starts_with(b, 4, "ftyp") || b.size() < 12) return "";
  std::string brand(b.begin() + 8, b.begin() + 12);
  if (brand == "avif" || brand == "avis") return "AVIF";
  if (brand == "heic" || brand == "heix" || brand == "hevc" || brand == "heim" || brand == "heis" ||
      brand == "mif1" || brand == "msf1") {
    return "HEIC";
  }
  return "";
}

}  // namespace

std::string sniff_format(const std::vector<uint8_t>& b) {
  if (starts_with(b, 0, "\xFF\xD8\xFF")) return "JPEG";
  if (starts_with(b, 0, "\x89PNG\r\n\x1A\n")) return "PNG";
  if (starts_with(b, 0, "GIF87a") || starts_with(b, 0, "GIF89a")) return "GIF";
  if (starts_with(b, 0, "BM")) return "BMP";
  if (starts_with(b, 0, "8BPS")) return "PSD";
  if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return "PNM";
  if (starts_with(b, 0, "RIFF") && starts_with(b, 8, "WEBP")) return "WebP";
  if (starts_with(b, 0, "II*\0", 4) || starts_with(b, 0, "MM\0*", 4)) return "TIFF";
  if (starts_with(b, 0, "\xFF\x0A") || starts_with(b, 4, "JXL ")) return "JPEG XL";
  if (std::string brand = isobmff_brand(b); !brand.empty()) return brand;
  return "";
}

std::optional<Dimensions> header_dimensions(const std::vector<uint8_t>& b, const std::string& format) {
  // stb_image's info call cannot tell "too large" from "not this format" for PNG, so the
  // pixel limit reads the IHDR chunk itself.
  if (format == "PNG") {
    if (b.size() < 24 || !starts_with(b, 12, "IHDR")) return std::nullopt;
    auto be32 = [&](size_t o) {
      return uint64_t{b[o]} << 24 | uint64_t{b[o + 1]} << 16 | uint64_t{b[o + 2]} << 8 | b[o + 3];
    };
    return Dimensions{be32(16), be32(20)};
  }
  int w = 0, h = 0, c = 0;
  const int n = static_cast<int>(std::min<size_t>(b.size(), INT_MAX));
  if (stbi_info_from_memory(b.data(), n, &w, &h, &c)) return Dimensions{static_cast<uint64_t>(w), static_cast<uint64_t>(h)};
  if (format == "JPEG") return jpeg_header_dimensions(b.data(), b.size());
  return std::nullopt;
}

void check_decodable(const std::vector<uint8_t>& head, const std::string& format, const std::string& path) {
  if (head.empty()) throw InputError(path, "empty file");
  if (format.empty() && !header_dimensions(head, format)) throw InputError(path, "not a supported image format");
}

void check_pixel_limit(const std::string& path, Dimensions d, uint64_t max_pixels) {
  const uint64_t pixels = d.width * d.height;
  if (pixels > max_pixels) {
    throw InputError(path, fmt::format("image is {}x{} = {:.1f} megapixels, over the limit of {:.1f} (--max-pixels)",
                                       d.width, d.height, pixels / 1e6, max_pixels / 1e6));
  }
}

uint64_t plausible_file_size(const std::string& format, Dimensions d) {
  if (format == "GIF" || format == "PSD") return 0;
  // Uncompressed 16-bit RGBA, plus room for metadata (EXIF, ICC, XMP, an embedded preview).
  constexpr uint64_t kBytesPerPixel = 8;
  constexpr uint64_t kMetadata = uint64_t{16} << 20;
  return d.width * d.height * kBytesPerPixel + kMetadata;
}

}  // namespace whatcar
