#include "image/image.h"

#include <fmt/format.h>
#include <stb/stb_image.h>

#include <memory>
#include <optional>

#include "image/exif.h"
#include "image/format.h"
#include "image/format_plugin.h"
#include "image/jpeg_scaled.h"
#include "util/error.h"

namespace whatcar {
namespace {

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

Image decode_image(const std::vector<uint8_t>& bytes, const std::string& path, uint64_t max_pixels,
                   int min_short_side) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) throw InputError(path, "file too large (over 2 GiB)");
  const std::string format = sniff_format(bytes);
  check_decodable(bytes, format, path);
  if (format == "PNG") {
    if (std::optional<Dimensions> d = header_dimensions(bytes, format)) check_pixel_limit(path, *d, max_pixels);
  }
  if (plugin_decodes(format)) {
    int orientation = 1;
    Image decoded = decode_with_plugin(bytes, format, path, max_pixels, &orientation);
    const int w = decoded.width, h = decoded.height;
    return upright(std::move(decoded), w, h, orientation);
  }
  const auto* data = bytes.data();
  const int size = static_cast<int>(bytes.size());
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(data, size, &w, &h, &channels)) {
    const std::string reason = stbi_failure_reason();
    // What stb_image refuses, libjpeg-turbo may still decode (arithmetic coding, for one).
    if (format == "JPEG") {
      if (std::optional<Dimensions> d = jpeg_header_dimensions(data, bytes.size())) {
        check_pixel_limit(path, *d, max_pixels);
        if (std::optional<Image> full = decode_jpeg_scaled(data, bytes.size(), 1)) {
          return upright(std::move(*full), static_cast<int>(d->width), static_cast<int>(d->height),
                         jpeg_exif_orientation(data, bytes.size()));
        }
      }
    }
    throw InputError(path, format.empty() ? "not a supported image format"
                                          : fmt::format("corrupt {} header ({})", format, reason));
  }
  check_pixel_limit(path, {static_cast<uint64_t>(w), static_cast<uint64_t>(h)}, max_pixels);
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

Image load_image(const std::string& path, const ReadLimits& limits, int min_short_side) {
  return decode_image(read_input(path, limits), path, limits.max_pixels, min_short_side);
}

}  // namespace whatcar
