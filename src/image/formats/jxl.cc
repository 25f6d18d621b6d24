// JPEG XL through libjxl: the first frame, turned upright by libjxl from the codestream's own
// orientation (EXIF orientation must not be applied again), transparent parts on white.
#include <jxl/decode.h>

#include <memory>
#include <vector>

#include "image/formats/decoders.h"

namespace whatcar::formats {

Decoded decode_jxl(const uint8_t* data, size_t size, uint64_t max_pixels) {
  std::unique_ptr<JxlDecoder, void (*)(JxlDecoder*)> dec(JxlDecoderCreate(nullptr), JxlDecoderDestroy);
  if (!dec) throw DecodeFailure("out of memory");
  if (JxlDecoderSubscribeEvents(dec.get(), JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE) != JXL_DEC_SUCCESS ||
      JxlDecoderSetInput(dec.get(), data, size) != JXL_DEC_SUCCESS) {
    throw DecodeFailure("cannot decode JPEG XL");
  }
  JxlDecoderCloseInput(dec.get());
  const JxlPixelFormat format{4, JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0};
  Decoded out;
  std::vector<uint8_t> rgba;
  for (;;) {
    const JxlDecoderStatus status = JxlDecoderProcessInput(dec.get());
    if (status == JXL_DEC_BASIC_INFO) {
      JxlBasicInfo info;
      if (JxlDecoderGetBasicInfo(dec.get(), &info) != JXL_DEC_SUCCESS) throw DecodeFailure("corrupt JPEG XL header");
      check_size(info.xsize, info.ysize, max_pixels);
      // Orientations 5-8 transpose: the frame comes out with the sides swapped.
      const bool transposed = info.orientation >= JXL_ORIENT_TRANSPOSE;
      out.width = transposed ? info.ysize : info.xsize;
      out.height = transposed ? info.xsize : info.ysize;
      if (out.width == 0 || out.height == 0) throw DecodeFailure("image has no pixels");
    } else if (status == JXL_DEC_NEED_IMAGE_OUT_BUFFER) {
      size_t bytes = 0;
      if (JxlDecoderImageOutBufferSize(dec.get(), &format, &bytes) != JXL_DEC_SUCCESS ||
          bytes != static_cast<size_t>(out.width) * out.height * 4) {
        throw DecodeFailure("cannot decode JPEG XL: unexpected frame size");
      }
      rgba.resize(bytes);
      if (JxlDecoderSetImageOutBuffer(dec.get(), &format, rgba.data(), rgba.size()) != JXL_DEC_SUCCESS) {
        throw DecodeFailure("cannot decode JPEG XL");
      }
    } else if (status == JXL_DEC_FULL_IMAGE) {
      break;  // the first frame is enough
    } else if (status == JXL_DEC_NEED_MORE_INPUT) {
      throw DecodeFailure("cannot decode JPEG XL: truncated file");
    } else {
      throw DecodeFailure("cannot decode JPEG XL");
    }
  }
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  rgba_on_white(rgba.data(), static_cast<size_t>(out.width) * out.height, out.rgb.data());
  return out;
}

}  // namespace whatcar::formats
