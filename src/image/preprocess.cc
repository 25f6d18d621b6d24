#include "image/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

namespace whatcar {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coeffs {
  int ksize = 0;
  std::vector<int> bounds;   // per output pixel: first input pixel, count
  std::vector<int32_t> k;    // per output pixel: ksize fixed-point weights
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc (libImaging/Resample.c), for the output
// pixels [first, first + count) of a resize from in_size to out_size.
Coeffs precompute(int in_size, int64_t out_size, int64_t first, int count) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;  // bilinear filter support is 1
  Coeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(static_cast<size_t>(count) * 2);
  c.k.assign(static_cast<size_t>(count) * c.ksize, 0);
  std::vector<double> w(c.ksize);
  for (int i = 0; i < count; ++i) {
    const double center = (first + i + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    xmin = std::max(xmin, 0);
    int xmax = static_cast<int>(center + support + 0.5);
    xmax = std::min(xmax, in_size) - xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double t = std::abs((x + xmin - center + 0.5) * ss);
      w[x] = t < 1.0 ? 1.0 - t : 0.0;
      ww += w[x];
    }
    for (int x = 0; x < xmax; ++x) {
      double v = ww != 0.0 ? w[x] / ww : w[x];
      c.k[static_cast<size_t>(i) * c.ksize + x] =
          static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[i * 2] = xmin;
    c.bounds[i * 2 + 1] = xmax;
  }
  return c;
}

// Sums are 32-bit, as Pillow's for 8-bit images: the weights of a pixel sum to 2^22, so a sum
// stays under 255 * 2^22 + 2^21 < 2^31.
inline uint8_t clip8(int32_t v) {
  if (v >= (int32_t{1} << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return static_cast<uint8_t>(v >> kPrecisionBits);
}

Image resample_horizontal(const Image& in, int out_w, int y0, int rows, const Coeffs& c) {
  Image out;
  out.width = out_w;
  out.height = rows;
  out.rgb.resize(static_cast<size_t>(out_w) * rows * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* row = in.at(0, y0 + y);
    for (int xx = 0; xx < out_w; ++xx) {
      const int xmin = c.bounds[xx * 2], n = c.bounds[xx * 2 + 1];
      const int32_t* k = &c.k[static_cast<size_t>(xx) * c.ksize];
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int x = 0; x < n; ++x) {
        const uint8_t* p = row + (xmin + x) * 3;
        s0 += p[0] * k[x];
        s1 += p[1] * k[x];
        s2 += p[2] * k[x];
      }
      uint8_t* o = out.at(xx, y);
      o[0] = clip8(s0);
      o[1] = clip8(s1);
      o[2] = clip8(s2);
    }
  }
  return out;
}

Image resample_vertical(const Image& in, int out_h, const Coeffs& c, int row_shift) {
  Image out;
  out.width = in.width;
  out.height = out_h;
  out.rgb.resize(static_cast<size_t>(in.width) * out_h * 3);
  const size_t stride = static_cast<size_t>(in.width) * 3;
  // Row by row into one accumulator row, so that the inner loop runs along memory (and
  // vectorises); integer sums do not depend on their order.
  std::vector<int32_t> sums(stride);
  for (int yy = 0; yy < out_h; ++yy) {
    const int ymin = c.bounds[yy * 2] - row_shift, n = c.bounds[yy * 2 + 1];
    const int32_t* k = &c.k[static_cast<size_t>(yy) * c.ksize];
    std::fill(sums.begin(), sums.end(), 1 << (kPrecisionBits - 1));
    for (int y = 0; y < n; ++y) {
      const uint8_t* p = in.rgb.data() + static_cast<size_t>(ymin + y) * stride;
      const int32_t w = k[y];
      for (size_t i = 0; i < stride; ++i) sums[i] += p[i] * w;
    }
    uint8_t* o = out.at(0, yy);
    for (size_t i = 0; i < stride; ++i) o[i] = clip8(sums[i]);
  }
  return out;
}

}  // namespace

Image resize_window(const Image& in, int64_t width, int64_t height, int64_t x0, int64_t y0, int window_w,
                    int window_h) {
  if (width == in.width && height == in.height && x0 == 0 && y0 == 0 && window_w == width && window_h == height) {
    return in;
  }
  // Pillow skips a pass whose size does not change; running it is exact too (weights 1 and 0),
  // and lets one code path compute any window of the output.
  const Coeffs vert = precompute(in.height, height, y0, window_h);
  // Only the rows the vertical pass will read are resized horizontally, as Pillow does.
  const int first_row = vert.bounds[0];
  const int last_row = vert.bounds[window_h * 2 - 2] + vert.bounds[window_h * 2 - 1];
  const Image horizontal =
      resample_horizontal(in, window_w, first_row, last_row - first_row, precompute(in.width, width, x0, window_w));
  return resample_vertical(horizontal, window_h, vert, first_row);
}

Image resize_bilinear(const Image& in, int width, int height) {
  return resize_window(in, width, height, 0, 0, width, height);
}

int64_t crop_offset(int64_t size, int crop) { return static_cast<int64_t>(std::nearbyint((size - crop) / 2.0)); }

int min_decode_short_side(const PreprocessConfig& cfg) {
  return 2 * (cfg.resize == "shorter-side" ? cfg.resize_size : cfg.input_size);
}

Image crop(const Image& in, int x0, int y0, int w, int h) {
  Image out;
  out.width = w;
  out.height = h;
  out.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) std::copy_n(in.at(x0, y0 + y), static_cast<size_t>(w) * 3, out.at(0, y));
  return out;
}

std::pair<int, int> letterbox_size(int width, int height, int size) {
  const double longer = std::max(width, height);
  const auto side = [&](int v) { return std::max(1, static_cast<int>(std::nearbyint(v * static_cast<double>(size) / longer))); };
  return {side(width), side(height)};
}

std::pair<int, int> input_dims(const PreprocessConfig& cfg, int width, int height) {
  const int s = cfg.input_size, m = cfg.pad_to;
  if (cfg.resize != "letterbox" || m == 0) return {s, s};
  const auto [w, h] = letterbox_size(width, height, s);
  return {(w + m - 1) / m * m, (h + m - 1) / m * m};
}

Image resize_and_crop(const Image& in, const PreprocessConfig& cfg) {
  const int s = cfg.input_size;
  if (cfg.resize == "squash") return resize_bilinear(in, s, s);
  if (cfg.resize == "letterbox") {
    const auto [w, h] = letterbox_size(in.width, in.height, s);
    const Image resized = resize_bilinear(in, w, h);
    Image out;
    std::tie(out.width, out.height) = input_dims(cfg, in.width, in.height);
    out.rgb.assign(static_cast<size_t>(out.width) * out.height * 3, 0);
    for (int y = 0; y < h; ++y) std::copy_n(resized.at(0, y), static_cast<size_t>(w) * 3, out.at(0, y));
    return out;
  }
  // shorter-side, as torchvision.transforms.Resize(int): the long side is truncated, not rounded.
  int64_t w = cfg.resize_size, h = cfg.resize_size;
  if (in.width < in.height) {
    h = int64_t{cfg.resize_size} * in.height / in.width;
  } else {
    w = int64_t{cfg.resize_size} * in.width / in.height;
  }
  // Only the center crop of the resized image is computed: a 1x60000 strip would otherwise
  // become a 256x15,360,000 intermediate (found by tests/fuzz).
  return resize_window(in, w, h, crop_offset(w, s), crop_offset(h, s), s, s);
}

void normalize_into(const Image& img, const PreprocessConfig& cfg, float* out) {
  const size_t plane = static_cast<size_t>(img.width) * img.height;
  for (int c = 0; c < 3; ++c) {
    // Same float32 operations as ToTensor() then Normalize(): x / 255, then (x - mean) / std.
    const float mean = cfg.mean[c], std = cfg.std[c];
    for (size_t i = 0; i < plane; ++i) out[c * plane + i] = (img.rgb[i * 3 + c] / 255.0f - mean) / std;
  }
}

void preprocess_into(const Image& in, const PreprocessConfig& cfg, float* out) {
  normalize_into(resize_and_crop(in, cfg), cfg, out);
}

}  // namespace whatcar
