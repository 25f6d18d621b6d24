// Reading image files and decoding them to 8-bit RGB with stb_image, EXIF orientation applied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace whatcar {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel

  uint8_t* at(int x, int y) { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
  const uint8_t* at(int x, int y) const { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
};

constexpr uint64_t kDefaultMaxPixels = 100'000'000;

// The whole file, or standard input for "-". Throws InputError.
std::vector<uint8_t> read_input(const std::string& path);

// The container format recognised from the first bytes ("JPEG", "PNG", "WebP", ...), or "" when unknown.
std::string sniff_format(const std::vector<uint8_t>& bytes);

// Decodes, refusing images over max_pixels from their header before any pixel is allocated,
// and applies the JPEG EXIF orientation. Throws InputError naming `path`.
Image decode_image(const std::vector<uint8_t>& bytes, const std::string& path,
                   uint64_t max_pixels = kDefaultMaxPixels);

Image load_image(const std::string& path, uint64_t max_pixels = kDefaultMaxPixels);

}  // namespace whatcar
