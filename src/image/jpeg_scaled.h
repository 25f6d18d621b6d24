// Decoding large JPEGs at reduced size with libjpeg-turbo's DCT scaling. The model sees a few
// hundred pixels, so a 12 MP photo need not be decoded in full: at 1/4 size it takes ~13 ms
// against ~75 ms for stb_image's full decode, and the resize that follows touches 1/16 of the
// pixels (docs/startup.md, bench/jpeg_scaling.sh).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "image/format.h"
#include "image/image.h"

namespace whatcar {

// The largest of 1, 2, 4 and 8 that keeps both sides of a width x height JPEG at least
// min_side pixels when decoded at 1/denominator size.
int jpeg_scale_denominator(int width, int height, int min_side);

// The size in a JPEG's frame header as libjpeg-turbo reads it: also for the JPEGs stb_image
// cannot read (arithmetic coding). nullopt when the header is incomplete or corrupt.
std::optional<Dimensions> jpeg_header_dimensions(const uint8_t* data, size_t size);

// The JPEG decoded at 1/denominator size to RGB (Image::scale set). nullopt when libjpeg
// reports an error or even a warning, or the file is not YCbCr, RGB or grayscale (CMYK): the
// caller then decodes it with stb_image, so a damaged file fails or succeeds exactly as it
// would have without this path.
std::optional<Image> decode_jpeg_scaled(const uint8_t* data, size_t size, int denominator);

}  // namespace whatcar
