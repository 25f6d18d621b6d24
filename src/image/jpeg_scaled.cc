#include "image/jpeg_scaled.h"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t declared first

#include <jpeglib.h>

namespace whatcar {
namespace {

// libjpeg reports errors by calling error_exit, which must not return; the usual answer is a
// longjmp back to the caller. The functions that setjmp hold no C++ objects with destructors,
// so nothing is skipped when libjpeg jumps out.
struct Decompressor {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  std::jmp_buf jump{};

  ~Decompressor() { jpeg_destroy_decompress(&cinfo); }  // a no-op until created
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<Decompressor*>(cinfo->client_data)->jump, 1);
}

// Level -1 is a warning (corrupt data that libjpeg would paper over): leave such files to
// stb_image. Other levels are trace messages, never printed.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);
}

bool read_header(Decompressor& d, const uint8_t* data, size_t size) {
  if (setjmp(d.jump)) return false;
  d.cinfo.err = jpeg_std_error(&d.err);
  d.err.error_exit = on_error;
  d.err.emit_message = on_message;
  d.cinfo.client_data = &d;  // before create, which keeps err and client_data and can fail
  jpeg_create_decompress(&d.cinfo);
  jpeg_mem_src(&d.cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&d.cinfo, TRUE);
  return true;
}

bool start(Decompressor& d, const uint8_t* data, size_t size, int denominator) {
  if (!read_header(d, data, size)) return false;
  if (setjmp(d.jump)) return false;
  const J_COLOR_SPACE cs = d.cinfo.jpeg_color_space;
  if (cs != JCS_YCbCr && cs != JCS_GRAYSCALE && cs != JCS_RGB) return false;
  d.cinfo.out_color_space = JCS_RGB;
  d.cinfo.scale_num = 1;
  d.cinfo.scale_denom = static_cast<unsigned>(denominator);
  jpeg_start_decompress(&d.cinfo);
  return d.cinfo.output_components == 3 && d.cinfo.output_width > 0 && d.cinfo.output_height > 0;
}

bool read_rows(Decompressor& d, uint8_t* out) {
  if (setjmp(d.jump)) return false;
  const size_t stride = static_cast<size_t>(d.cinfo.output_width) * 3;
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    JSAMPROW row = out + d.cinfo.output_scanline * stride;
    jpeg_read_scanlines(&d.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d.cinfo);
  return true;
}

}  // namespace

int jpeg_scale_denominator(int width, int height, int min_side) {
  if (min_side <= 0) return 1;
  const int shorter = width < height ? width : height;
  int denominator = 1;
  while (denominator < 8 && shorter / (denominator * 2) >= min_side) denominator *= 2;
  return denominator;
}

std::optional<Dimensions> jpeg_header_dimensions(const uint8_t* data, size_t size) {
  Decompressor d;
  if (!read_header(d, data, size)) return std::nullopt;
  return Dimensions{d.cinfo.image_width, d.cinfo.image_height};
}

std::optional<Image> decode_jpeg_scaled(const uint8_t* data, size_t size, int denominator) {
  Decompressor d;
  if (!start(d, data, size, denominator)) return std::nullopt;
  Image image;
  image.width = static_cast<int>(d.cinfo.output_width);
  image.height = static_cast<int>(d.cinfo.output_height);
  image.scale = denominator;
  image.rgb.resize(static_cast<size_t>(image.width) * image.height * 3);
  if (!read_rows(d, image.rgb.data())) return std::nullopt;
  return image;
}

}  // namespace whatcar
