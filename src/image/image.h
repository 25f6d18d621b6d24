// Decoding image files to 8-bit RGB with stb_image (large JPEGs at reduced size with
// libjpeg-turbo, image/jpeg_scaled.h), EXIF orientation applied; reading is image/read_input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/read_input.h"

namespace whatcar {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel
  int scale = 1;             // decoded at 1/scale of the file's size (JPEG DCT scaling)
  // The file's own size, upright: what boxes are measured in. Larger than width x height when
  // decoded at reduced size; 0 for images that come from no file.
  int file_width = 0;
  int file_height = 0;

  uint8_t* at(int x, int y) { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
  const uint8_t* at(int x, int y) const { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
};

// Decodes, refusing images over max_pixels from their header before any pixel is allocated,
// and applies the JPEG EXIF orientation. With min_short_side > 0, a JPEG may be decoded at 1/2,
// 1/4 or 1/8 size as long as its shorter side stays at least min_short_side; 0 decodes at full
// size. Throws InputError naming `path`.
Image decode_image(const std::vector<uint8_t>& bytes, const std::string& path,
                   uint64_t max_pixels = kDefaultMaxPixels, int min_short_side = 0);

// read_input, then decode_image.
Image load_image(const std::string& path, const ReadLimits& limits = {}, int min_short_side = 0);

}  // namespace whatcar
