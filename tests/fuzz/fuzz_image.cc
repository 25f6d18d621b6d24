// libFuzzer target for everything whatcar does to an untrusted file before the model sees it:
// format sniffing, the header checks made before a file is read whole, the pixel limit, EXIF
// parsing, stb_image decoding, libjpeg-turbo's reduced-size JPEG decoding, orientation,
// resizing, cropping and normalisation.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "image/exif.h"
#include "image/format.h"
#include "image/image.h"
#include "image/preprocess.h"
#include "util/error.h"

namespace {

whatcar::PreprocessConfig config(const char* resize) {
  whatcar::PreprocessConfig c;
  c.resize = resize;
  c.resize_size = 40;
  c.input_size = 32;
  c.mean = {0.5f, 0.5f, 0.5f};
  c.std = {0.25f, 0.25f, 0.25f};
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A lower pixel limit than the tool's 100 MP keeps each run fast; the limit logic is the same.
  constexpr uint64_t kFuzzMaxPixels = 4'000'000;
  static const auto squash = config("squash"), shorter = config("shorter-side");
  whatcar::jpeg_exif_orientation(data, size);
  const std::vector<uint8_t> bytes(data, data + size);
  // The header check read_input makes on a file's first bytes, before it reads the rest.
  const std::vector<uint8_t> head(data, data + size / 2);
  if (const auto d = whatcar::header_dimensions(head, whatcar::sniff_format(head))) {
    whatcar::plausible_file_size(whatcar::sniff_format(head), *d);
  }
  // Full size (stb_image), then as the tool decodes for a model that resizes to 4 pixels, so
  // every JPEG of 8 pixels or more takes the reduced-size path.
  for (int min_short_side : {0, 4}) {
    try {
      const whatcar::Image image = whatcar::decode_image(bytes, "fuzz-input", kFuzzMaxPixels, min_short_side);
      std::vector<float> out(3 * 32 * 32);
      whatcar::preprocess_into(image, squash, out.data());
      whatcar::preprocess_into(image, shorter, out.data());
    } catch (const whatcar::InputError&) {
      // Refusing the input with a reason is the expected outcome for most fuzz inputs.
    }
  }
  return 0;
}
