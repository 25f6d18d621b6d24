// The decoders of libwhatcar-formats.so, one per library. Each refuses an image over the pixel
// limit from its header (TooLarge) before decoding, and throws DecodeFailure with the
// library's reason otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace whatcar::formats {

struct Decoded {
  uint32_t width = 0;
  uint32_t height = 0;
  int orientation = 1;  // still to apply
  std::vector<uint8_t> rgb;
};

struct DecodeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TooLarge {
  uint64_t width;
  uint64_t height;
};

// Throws TooLarge when width x height is over max_pixels.
void check_size(uint64_t width, uint64_t height, uint64_t max_pixels);

// RGBA (8-bit, straight alpha) put on a white background, as a browser shows it.
void rgba_on_white(const uint8_t* rgba, size_t pixels, uint8_t* rgb);

Decoded decode_heif(const uint8_t* data, size_t size, uint64_t max_pixels);  // HEIC and AVIF
Decoded decode_webp(const uint8_t* data, size_t size, uint64_t max_pixels);
Decoded decode_tiff(const uint8_t* data, size_t size, uint64_t max_pixels);
Decoded decode_jxl(const uint8_t* data, size_t size, uint64_t max_pixels);

}  // namespace whatcar::formats
