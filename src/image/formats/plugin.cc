// The one exported entry point of libwhatcar-formats.so (plugin_api.h).
#include <cstdio>
#include <cstring>
#include <new>

#include "image/formats/decoders.h"
#include "image/formats/plugin_api.h"

namespace whatcar::formats {

void check_size(uint64_t width, uint64_t height, uint64_t max_pixels) {
  if (width * height > max_pixels) throw TooLarge{width, height};
}

void rgba_on_white(const uint8_t* rgba, size_t pixels, uint8_t* rgb) {
  for (size_t i = 0; i < pixels; ++i, rgba += 4, rgb += 3) {
    const unsigned a = rgba[3];
    for (int c = 0; c < 3; ++c) rgb[c] = static_cast<uint8_t>((rgba[c] * a + 255 * (255 - a) + 127) / 255);
  }
}

namespace {

Decoded decode(const std::string& format, const uint8_t* data, size_t size, uint64_t max_pixels) {
  if (format == "HEIC" || format == "AVIF") return decode_heif(data, size, max_pixels);
  if (format == "WebP") return decode_webp(data, size, max_pixels);
  if (format == "TIFF") return decode_tiff(data, size, max_pixels);
  if (format == "JPEG XL") return decode_jxl(data, size, max_pixels);
  throw DecodeFailure("no decoder for " + format);
}

}  // namespace
}  // namespace whatcar::formats

extern "C" __attribute__((visibility("default"))) int whatcar_decode_v1(const char* format, const uint8_t* data,
                                                                         size_t size, uint64_t max_pixels,
                                                                         whatcar_decoded* out) {
  using namespace whatcar::formats;
  *out = {};
  try {
    auto* decoded = new Decoded(decode(format, data, size, max_pixels));
    out->width = decoded->width;
    out->height = decoded->height;
    out->orientation = decoded->orientation;
    out->rgb = decoded->rgb.data();
    out->owner = decoded;
    out->release = [](void* owner) { delete static_cast<Decoded*>(owner); };
    return WHATCAR_DECODED;
  } catch (const TooLarge& t) {
    out->width = static_cast<uint32_t>(std::min<uint64_t>(t.width, UINT32_MAX));
    out->height = static_cast<uint32_t>(std::min<uint64_t>(t.height, UINT32_MAX));
    return WHATCAR_TOO_LARGE;
  } catch (const std::bad_alloc&) {
    std::snprintf(out->error, sizeof out->error, "out of memory");
  } catch (const std::exception& e) {
    std::snprintf(out->error, sizeof out->error, "%s", e.what());
  }
  return WHATCAR_FAILED;
}
