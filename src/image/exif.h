// The EXIF orientation tag of JPEG files and EXIF blocks, and applying it: stb_image ignores
// EXIF, and phone photos are stored sideways with a tag that says how to turn them upright.
#pragma once

#include <cstddef>
#include <cstdint>

#include "image/image.h"

namespace whatcar {

// The orientation (1..8) from the first APP1 Exif segment, or 1 when absent or malformed.
// Never reads outside [data, data + size).
int jpeg_exif_orientation(const uint8_t* data, size_t size);

// The orientation from an EXIF block as other containers store it (WebP's EXIF chunk): the TIFF
// structure, with or without the "Exif\0\0" prefix. 1 when absent or malformed.
int exif_block_orientation(const uint8_t* data, size_t size);

// Returns the image turned so that it displays upright for the given EXIF orientation.
Image apply_orientation(const Image& image, int orientation);

}  // namespace whatcar
