// Reading one image file or stream into memory, bounded and interruptible: the first bytes
// are sniffed and the header checked before the rest is read, a non-image is refused at once,
// and no more is read than the header's size can justify or --max-bytes allows. Pipes, FIFOs
// and devices are read through poll(), so SIGINT/SIGTERM (util/interrupt) end a read that waits
// for a writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace whatcar {

constexpr uint64_t kDefaultMaxPixels = 100'000'000;
// Above every real photo: a 100-megapixel 16-bit TIFF is 600 MB, but a 50 MP camera JPEG is
// under 50 MB and a 48 MP phone HEIC under 20 MB.
constexpr uint64_t kDefaultMaxBytes = uint64_t{256} << 20;

struct ReadLimits {
  uint64_t max_pixels = kDefaultMaxPixels;
  uint64_t max_bytes = kDefaultMaxBytes;
};

// The whole file, or standard input for "-", once it is known to be an image within the
// limits. Throws InputError naming `path` (and the limit that was hit).
std::vector<uint8_t> read_input(const std::string& path, const ReadLimits& limits = {});

}  // namespace whatcar
