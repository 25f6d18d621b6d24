// TIFF through libtiff, read from memory: the first page, any photometric libtiff's RGBA
// interface knows (RGB, grey, palette, CMYK, YCbCr, 16-bit), transparent parts on white. The
// Orientation tag is applied by whatcar, not by libtiff, whose RGBA reader only flips.
#include <tiffio.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "image/formats/decoders.h"

namespace whatcar::formats {
namespace {

// libtiff's allocations for one strip or tile, against a header that claims a huge one.
constexpr tmsize_t kMaxSingleAlloc = tmsize_t{256} << 20;

struct Memory {
  const uint8_t* data;
  toff_t size;
  toff_t pos = 0;
  std::string error;
};

tmsize_t read_proc(thandle_t h, void* buf, tmsize_t n) {
  auto* m = static_cast<Memory*>(h);
  const toff_t left = m->pos < m->size ? m->size - m->pos : 0;
  const toff_t count = std::min<toff_t>(static_cast<toff_t>(n), left);
  std::memcpy(buf, m->data + m->pos, count);
  m->pos += count;
  return static_cast<tmsize_t>(count);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return -1; }
toff_t seek_proc(thandle_t h, toff_t off, int whence) {
  auto* m = static_cast<Memory*>(h);
  const toff_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->size : 0;
  m->pos = base + off;
  return m->pos;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t h) { return static_cast<Memory*>(h)->size; }
int map_proc(thandle_t, void**, toff_t*) { return 0; }
void unmap_proc(thandle_t, void*, toff_t) {}

// Per-file handlers: libtiff's default ones print to stderr, and its global ones are shared by
// the decoding threads.
int on_error(TIFF*, void* user, const char*, const char* fmt, va_list ap) {
  auto* m = static_cast<Memory*>(user);
  if (m->error.empty()) {
    char buf[200];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    m->error = buf;
  }
  return 1;
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

}  // namespace

Decoded decode_tiff(const uint8_t* data, size_t size, uint64_t max_pixels) {
  Memory mem{data, static_cast<toff_t>(size), 0, {}};
  std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(), TIFFOpenOptionsFree);
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), kMaxSingleAlloc);
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &mem);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &mem);
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(
      TIFFClientOpenExt("tiff", "rm", &mem, read_proc, write_proc, seek_proc, close_proc, size_proc, map_proc,
                        unmap_proc, options.get()),
      TIFFClose);
  if (!tif) throw DecodeFailure("corrupt TIFF header" + (mem.error.empty() ? "" : " (" + mem.error + ")"));
  uint32_t w = 0, h = 0;
  uint16_t orientation = ORIENTATION_TOPLEFT;
  if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h)) {
    throw DecodeFailure("corrupt TIFF header (no size)");
  }
  check_size(w, h, max_pixels);
  if (w == 0 || h == 0) throw DecodeFailure("image has no pixels");
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_ORIENTATION, &orientation);
  // Read the rows as stored; whatcar turns them with the tag's value, exactly once.
  TIFFSetField(tif.get(), TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  char reason[1024] = "";
  if (!TIFFRGBAImageOK(tif.get(), reason)) throw DecodeFailure(std::string("cannot decode TIFF: ") + reason);
  std::vector<uint32_t> raster(static_cast<size_t>(w) * h);
  if (!TIFFReadRGBAImageOriented(tif.get(), w, h, raster.data(), ORIENTATION_TOPLEFT, 0)) {
    throw DecodeFailure("cannot decode TIFF" + (mem.error.empty() ? "" : ": " + mem.error));
  }
  Decoded out;
  out.width = w;
  out.height = h;
  out.orientation = orientation >= 1 && orientation <= 8 ? orientation : 1;
  std::vector<uint8_t> rgba(raster.size() * 4);
  for (size_t i = 0; i < raster.size(); ++i) {
    rgba[i * 4] = static_cast<uint8_t>(TIFFGetR(raster[i]));
    rgba[i * 4 + 1] = static_cast<uint8_t>(TIFFGetG(raster[i]));
    rgba[i * 4 + 2] = static_cast<uint8_t>(TIFFGetB(raster[i]));
    rgba[i * 4 + 3] = static_cast<uint8_t>(TIFFGetA(raster[i]));
  }
  out.rgb.resize(raster.size() * 3);
  rgba_on_white(rgba.data(), raster.size(), out.rgb.data());
  return out;
}

}  // namespace whatcar::formats
