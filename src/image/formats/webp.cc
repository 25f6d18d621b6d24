// WebP through libwebp: still images, and the first frame of an animation, on a white
// background where transparent; EXIF orientation from the EXIF chunk, applied by whatcar.
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "image/exif.h"
#include "image/formats/decoders.h"

namespace whatcar::formats {

Decoded decode_webp(const uint8_t* data, size_t size, uint64_t max_pixels) {
  const WebPData input{data, size};
  std::unique_ptr<WebPDemuxer, void (*)(WebPDemuxer*)> demux(WebPDemux(&input), WebPDemuxDelete);
  if (!demux) throw DecodeFailure("corrupt WebP header");
  Decoded out;
  out.width = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_WIDTH);
  out.height = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_HEIGHT);
  check_size(out.width, out.height, max_pixels);
  if (out.width == 0 || out.height == 0) throw DecodeFailure("image has no pixels");

  WebPIterator frame;
  if (!WebPDemuxGetFrame(demux.get(), 1, &frame)) throw DecodeFailure("cannot decode WebP: no frame");
  std::unique_ptr<WebPIterator, void (*)(WebPIterator*)> release_frame(&frame, WebPDemuxReleaseIterator);
  int fw = 0, fh = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> rgba(WebPDecodeRGBA(frame.fragment.bytes, frame.fragment.size, &fw, &fh),
                                                  WebPFree);
  if (!rgba) throw DecodeFailure("cannot decode WebP");
  // An animation's first frame may cover only part of the canvas: the rest is left white.
  std::vector<uint8_t> canvas(static_cast<size_t>(out.width) * out.height * 4, 255);
  for (int y = 0; y < fh && frame.y_offset + y < static_cast<int>(out.height); ++y) {
    const int n = std::min(fw, static_cast<int>(out.width) - frame.x_offset);
    if (n <= 0) break;
    std::copy_n(rgba.get() + static_cast<size_t>(y) * fw * 4, static_cast<size_t>(n) * 4,
                canvas.data() + (static_cast<size_t>(frame.y_offset + y) * out.width + frame.x_offset) * 4);
  }
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  rgba_on_white(canvas.data(), static_cast<size_t>(out.width) * out.height, out.rgb.data());

  WebPChunkIterator exif;
  if (WebPDemuxGetChunk(demux.get(), "EXIF", 1, &exif)) {
    out.orientation = exif_block_orientation(exif.chunk.bytes, exif.chunk.size);
    WebPDemuxReleaseChunkIterator(&exif);
  }
  return out;
}

}  // namespace whatcar::formats
