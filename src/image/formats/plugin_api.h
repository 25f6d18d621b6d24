// The C interface between whatcar and libwhatcar-formats.so, the decoders of HEIC, AVIF, WebP,
// TIFF and JPEG XL. Their libraries (libheif with its HEVC and AV1 codecs, libwebp, libtiff,
// libjxl) would add to every start of whatcar if linked to it (docs/startup.md), so whatcar
// loads this module with dlopen() only when it meets such a file (image/format_plugin).
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

enum whatcar_decode_status { WHATCAR_DECODED = 0, WHATCAR_FAILED = 1, WHATCAR_TOO_LARGE = 2 };

struct whatcar_decoded {
  uint32_t width;        // of the pixels below; with WHATCAR_TOO_LARGE, the header's size
  uint32_t height;
  int orientation;       // EXIF orientation (1..8) still to apply; 1 when the decoder applied it
  const uint8_t* rgb;    // width x height x 3, alpha already put on white
  void* owner;           // release(owner) frees rgb
  void (*release)(void* owner);
  char error[256];       // with WHATCAR_FAILED, why
};

// Decodes the primary image of `format` ("HEIC", "AVIF", "WebP", "TIFF", "JPEG XL") to 8-bit RGB,
// refusing images over max_pixels from their header before any pixel is decoded.
typedef int (*whatcar_decode_fn)(const char* format, const uint8_t* data, size_t size, uint64_t max_pixels,
                                 struct whatcar_decoded* out);

#define WHATCAR_DECODE_SYMBOL "whatcar_decode_v1"
}
