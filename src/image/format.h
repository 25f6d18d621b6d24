// What an image file is, from its first bytes: the container format, whether whatcar decodes
// it, and the size its header declares. Used before a file is read whole (image/read_input)
// and again by the decoder, on the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace whatcar {

// The container format recognised from the first bytes ("JPEG", "PNG", "WebP", ...), or "" when unknown.
std::string sniff_format(const std::vector<uint8_t>& bytes);

// Throws InputError naming `path` unless `head` (the file's first bytes, `format` as sniffed)
// is an image whatcar decodes: every format sniff_format names, and TGA, which has no
// signature (unknown bytes pass when they parse as a TGA header).
void check_decodable(const std::vector<uint8_t>& head, const std::string& format, const std::string& path);

struct Dimensions {
  uint64_t width = 0;
  uint64_t height = 0;
};

// The size the header declares, or nothing when `head` does not yet hold the whole header.
std::optional<Dimensions> header_dimensions(const std::vector<uint8_t>& head, const std::string& format);

// Throws InputError naming `path` when the image has more than max_pixels pixels.
void check_pixel_limit(const std::string& path, Dimensions d, uint64_t max_pixels);

// The most bytes a file of this format and size can reasonably hold; 0 when the format sets no
// such bound (animations and layered files grow with their frames, not their size).
uint64_t plausible_file_size(const std::string& format, Dimensions d);

}  // namespace whatcar
