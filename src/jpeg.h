// Walking the marker segments of a JPEG file, and the structural checks that guard
// stb_image 2.27 (Debian 12's) against files it mishandles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace whatcar {

// Calls visit(marker, body, body_size) for every segment that has a length field, in file
// order, skipping the entropy-coded data that follows each SOS header and, as stb_image does,
// stray bytes between segments. A segment cut short by the end of the file is visited with
// what is there. Never reads outside
// [data, data + size). Returns false when the structure is broken before EOI or when visit
// returned false (stop).
bool walk_jpeg_segments(const uint8_t* data, size_t size,
                        const std::function<bool(uint8_t marker, const uint8_t* body, size_t body_size)>& visit);

// Why stb_image must not see this JPEG, or "" when it may. stb_image 2.27 writes past its
// Huffman tables when a DHT segment declares more than 256 codes (found by tests/fuzz).
std::string jpeg_unsafe_reason(const uint8_t* data, size_t size);

}  // namespace whatcar
