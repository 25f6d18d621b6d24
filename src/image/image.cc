#include "image/image.h"

#include <fmt/format.h>
#include <stb/stb_image.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "image/exif.h"
#include "image/jpeg_scaled.h"
#include "util/error.h"

namespace whatcar {
namespace {

bool starts_with(const std::vector<uint8_t>& b, size_t off, const char* magic) {
  size_t n = std::strlen(magic);
  return b.size() >= off + n && std::memcmp(b.data() + off, magic, n) == 0;
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

// stb_image's info call cannot tell "too large" from "not this format" for PNG, so the
// pixel limit reads the IHDR chunk itself.
bool png_dimensions(const std::vector<uint8_t>& b, uint64_t* w, uint64_t* h) {
  if (b.size() < 24 || !starts_with(b, 12, "IHDR")) return false;
  auto be32 = [&](size_t o) { return uint64_t{b[o]} << 24 | uint64_t{b[o + 1]} << 16 | uint64_t{b[o + 2]} << 8 | b[o + 3]; };
  *w = be32(16);
  *h = be32(20);
  return true;
}

void check_pixel_limit(const std::string& path, uint64_t w, uint64_t h, uint64_t max_pixels) {
  const uint64_t pixels = w * h;
  if (pixels > max_pixels) {
    throw InputError(path, fmt::format("image is {}x{} = {:.1f} megapixels, over the limit of {:.1f} (--max-pixels)", w,
                                       h, pixels / 1e6, max_pixels / 1e6));
  }
}

bool stb_decodes(const std::string& format) {
  for (const char* f : {"JPEG", "PNG", "BMP", "GIF", "PSD", "PNM", "TGA"}) {
    if (format == f) return true;
  }
  return false;
}

// Turns the decoded pixels upright and records the file's upright size (w x h as stored).
Image upright(Image decoded, int w, int h, int orientation) {
  const bool turned = orientation >= 2 && orientation <= 8;
  Image image = turned ? apply_orientation(decoded, orientation) : std::move(decoded);
  const bool swapped = turned && orientation >= 5;  // 5-8 transpose the image
  image.file_width = swapped ? h : w;
  image.file_height = swapped ? w : h;
  return image;
}

}  // namespace

std::vector<uint8_t> read_input(const std::string& path) {
  std::FILE* f = nullptr;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, std::fclose);
  if (path == "-") {
    f = stdin;
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError(path, "is a directory");
    owned.reset(std::fopen(path.c_str(), "rb"));
    if (!owned) throw InputError(path, std::strerror(errno));
    f = owned.get();
  }
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  if (std::ferror(f)) throw InputError(path, fmt::format("read error: {}", std::strerror(errno)));
  return bytes;
}

std::string sniff_format(const std::vector<uint8_t>& b) {
  if (starts_with(b, 0, "\xFF\xD8\xFF")) return "JPEG";
  if (starts_with(b, 0, "\x89PNG\r\n\x1A\n")) return "PNG";
  if (starts_with(b, 0, "GIF87a") || starts_with(b, 0, "GIF89a")) return "GIF";
  if (starts_with(b, 0, "BM")) return "BMP";
  if (starts_with(b, 0, "8BPS")) return "PSD";
  if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return "PNM";
  if (starts_with(b, 0, "RIFF") && starts_with(b, 8, "WEBP")) return "WebP";
  if (starts_with(b, 0, "II*\0") || starts_with(b, 0, "MM\0*")) return "TIFF";
  if (starts_with(b, 0, "\xFF\x0A") || starts_with(b, 4, "JXL ")) return "JPEG XL";
  if (std::string brand = isobmff_brand(b); !brand.empty()) return brand;
  return "";
}

Image decode_image(const std::vector<uint8_t>& bytes, const std::string& path, uint64_t max_pixels,
                   int min_short_side) {
  if (bytes.empty()) throw InputError(path, "empty file");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) throw InputError(path, "file too large (over 2 GiB)");
  std::string format = sniff_format(bytes);
  // TGA has no signature, so unknown data is still offered to stb_image.
  if (!format.empty() && !stb_decodes(format)) {
    throw InputError(path, fmt::format("{} images are not supported (use JPEG, PNG, BMP, GIF, TGA, PSD or PNM)",
                                       format));
  }
  if (uint64_t pw = 0, ph = 0; format == "PNG" && png_dimensions(bytes, &pw, &ph)) {
    check_pixel_limit(path, pw, ph, max_pixels);
  }
  const auto* data = bytes.data();
  const int size = static_cast<int>(bytes.size());
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(data, size, &w, &h, &channels)) {
    throw InputError(path, format.empty() ? "not a supported image format"
                                          : fmt::format("corrupt {} header ({})", format, stbi_failure_reason()));
  }
  check_pixel_limit(path, static_cast<uint64_t>(w), static_cast<uint64_t>(h), max_pixels);
  if (w < 1 || h < 1) throw InputError(path, fmt::format("image has no pixels ({}x{})", w, h));
  if (format == "JPEG") {
    if (const int denominator = jpeg_scale_denominator(w, h, min_short_side); denominator > 1) {
      if (std::optional<Image> scaled = decode_jpeg_scaled(data, bytes.size(), denominator)) {
        return upright(std::move(*scaled), w, h, jpeg_exif_orientation(data, bytes.size()));
      }
    }
  }
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels_rgb(stbi_load_from_memory(data, size, &w, &h, &channels, 3),
                                                       stbi_image_free);
  if (!pixels_rgb) {
    throw InputError(path, fmt::format("cannot decode {}: {}", format.empty() ? "image" : format,
                                       stbi_failure_reason()));
  }
  if (w < 1 || h < 1) throw InputError(path, fmt::format("image has no pixels ({}x{})", w, h));
  Image image;
  image.width = w;
  image.height = h;
  image.rgb.assign(pixels_rgb.get(), pixels_rgb.get() + static_cast<size_t>(w) * h * 3);
  return upright(std::move(image), w, h, format == "JPEG" ? jpeg_exif_orientation(data, bytes.size()) : 1);
}

Image load_image(const std::string& path, uint64_t max_pixels, int min_short_side) {
  return decode_image(read_input(path), path, max_pixels, min_short_side);
}

}  // namespace whatcar
