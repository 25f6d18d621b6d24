// HEIC, AVIF, WebP, TIFF and JPEG XL, decoded by libwhatcar-formats.so (image/formats/), which is
// loaded with dlopen() the first time such a file is met: its libraries cost every run of
// whatcar start-up time otherwise, and most runs see only JPEGs (docs/startup.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/image.h"

namespace whatcar {

inline constexpr const char* kFormatPluginFileName = "libwhatcar-formats.so";

// Whether libwhatcar-formats.so decodes `format` (as sniff_format names it).
bool plugin_decodes(const std::string& format);

// Where the module is looked for: beside the executable (the build tree), then
// <exe>/../lib/whatcar (installed trees and the release bundle).
std::vector<std::string> format_plugin_candidates();

// The image decoded to 8-bit RGB as stored, with the EXIF orientation still to apply (1 where
// the format's decoder turned it itself), or InputError naming `path` (also when the module
// cannot be found or loaded, saying where it looked).
Image decode_with_plugin(const std::vector<uint8_t>& bytes, const std::string& format, const std::string& path,
                         uint64_t max_pixels, int* orientation);

}  // namespace whatcar
