// HEIC and AVIF through libheif: the primary image, with HEIF's own rotation and mirroring
// applied by libheif. EXIF orientation is not applied on top: in HEIF the irot/imir transforms
// are what turns the image upright, and phones write an EXIF tag that describes the same turn.
#include <libheif/heif.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <string>

#include "image/formats/decoders.h"

namespace whatcar::formats {
namespace {

// libheif's own guard against huge images, on each side; whatcar's pixel limit comes first.
constexpr int kMaxSide = 1 << 15;

void check(heif_error err, const char* what) {
  if (err.code == heif_error_Ok) return;
  std::string message = std::string(what) + ": " + err.message;
  // Some of libheif's messages end in a newline; whatcar prints one line per file.
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
  throw DecodeFailure(message);
}

}  // namespace

Decoded decode_heif(const uint8_t* data, size_t size, uint64_t max_pixels) {
  // Registers the codec plugins once; a function-local static is initialised once across threads.
  static const bool initialised = heif_init(nullptr).code == heif_error_Ok;
  if (!initialised) throw DecodeFailure("libheif could not initialise");
  std::unique_ptr<heif_context, void (*)(heif_context*)> ctx(heif_context_alloc(), heif_context_free);
  if (!ctx) throw DecodeFailure("out of memory");
  heif_context_set_maximum_image_size_limit(ctx.get(), kMaxSide);
  check(heif_context_read_from_memory_without_copy(ctx.get(), data, size, nullptr), "cannot read HEIF");
  heif_image_handle* raw_handle = nullptr;
  check(heif_context_get_primary_image_handle(ctx.get(), &raw_handle), "no primary image");
  std::unique_ptr<heif_image_handle, void (*)(const heif_image_handle*)> handle(raw_handle,
                                                                                 heif_image_handle_release);
  // The size after rotation, from the header (ispe and the transforms): nothing decoded yet.
  check_size(static_cast<uint64_t>(heif_image_handle_get_width(handle.get())),
             static_cast<uint64_t>(heif_image_handle_get_height(handle.get())), max_pixels);
  const bool alpha = heif_image_handle_has_alpha_channel(handle.get());
  std::unique_ptr<heif_decoding_options, void (*)(heif_decoding_options*)> options(heif_decoding_options_alloc(),
                                                                                   heif_decoding_options_free);
  options->convert_hdr_to_8bit = 1;  // 10- and 12-bit (HDR) photos come out as 8-bit
  heif_image* raw_image = nullptr;
  check(heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                          alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, options.get()),
        "cannot decode");
  std::unique_ptr<heif_image, void (*)(const heif_image*)> image(raw_image, heif_image_release);
  Decoded out;
  out.width = static_cast<uint32_t>(heif_image_get_width(image.get(), heif_channel_interleaved));
  out.height = static_cast<uint32_t>(heif_image_get_height(image.get(), heif_channel_interleaved));
  int stride = 0;
  const uint8_t* plane = heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
  if (!plane || out.width == 0 || out.height == 0) throw DecodeFailure("cannot decode: no pixels");
  if (heif_image_get_bits_per_pixel_range(image.get(), heif_channel_interleaved) != 8) {
    throw DecodeFailure("cannot decode: not converted to 8 bits");
  }
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  for (uint32_t y = 0; y < out.height; ++y) {
    const uint8_t* row = plane + static_cast<size_t>(y) * stride;
    uint8_t* dst = out.rgb.data() + static_cast<size_t>(y) * out.width * 3;
    if (alpha) {
      rgba_on_white(row, out.width, dst);
    } else {
      std::memcpy(dst, row, static_cast<size_t>(out.width) * 3);
    }
  }
  return out;
}

}  // namespace whatcar::formats
