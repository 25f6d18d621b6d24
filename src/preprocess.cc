#include "preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace whatcar {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coeffs {
  int ksize = 0;
  std::vector<int> bounds;   // per output pixel: first input pixel, count
  std::vector<int32_t> k;    // per output pixel: ksize fixed-point weights
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc (libImaging/Resample.c).
Coeffs precompute(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;  // bilinear filter support is 1
  Coeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(out_size * 2);
  c.k.assign(static_cast<size_t>(out_size) * c.ksize, 0);
  std::vector<double> w(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
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
      c.k[static_cast<size_t>(xx) * c.ksize + x] =
          static_cast<int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[xx * 2] = xmin;
    c.bounds[xx * 2 + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int64_t v) {
  if (v >= (int64_t{1} << kPrecisionBits << 8)) return 255;
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
      int64_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int x = 0; x < n; ++x) {
        const uint8_t* p = row + (xmin + x) * 3;
        s0 += p[0] * int64_t{k[x]};
        s1 += p[1] * int64_t{k[x]};
        s2 += p[2] * int64_t{k[x]};
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
  for (int yy = 0; yy < out_h; ++yy) {
    const int ymin = c.bounds[yy * 2] - row_shift, n = c.bounds[yy * 2 + 1];
    const int32_t* k = &c.k[static_cast<size_t>(yy) * c.ksize];
    uint8_t* o = out.at(0, yy);
    for (size_t i = 0; i < stride; ++i) {
      int64_t s = 1 << (kPrecisionBits - 1);
      const uint8_t* p = &in.rgb[static_cast<size_t>(ymin) * stride + i];
      for (int y = 0; y < n; ++y) s += p[y * stride] * int64_t{k[y]};
      o[i] = clip8(s);
    }
  }
  return out;
}

}  // namespace

Image resize_bilinear(const Image& in, int width, int height) {
  if (width == in.width && height == in.height) return in;
  const Coeffs vert = precompute(in.height, height);
  // Only the rows the vertical pass will read are resized horizontally, as Pillow does.
  const int first_row = vert.bounds[0];
  const int last_row = vert.bounds[height * 2 - 2] + vert.bounds[height * 2 - 1];
  const Image* src = &in;
  Image horizontal;
  int row_shift = 0;
  if (width != in.width) {
    horizontal = resample_horizontal(in, width, first_row, last_row - first_row, precompute(in.width, width));
    src = &horizontal;
    row_shift = first_row;
  }
  if (height == in.height) return horizontal;
  return resample_vertical(*src, height, vert, row_shift);
}

Image center_crop(const Image& in, int width, int height) {
  const int top = static_cast<int>(std::nearbyint((in.height - height) / 2.0));
  const int left = static_cast<int>(std::nearbyint((in.width - width) / 2.0));
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.assign(static_cast<size_t>(width) * height * 3, 0);  // zero padding when the crop is larger
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int sx = x + left, sy = y + top;
      if (sx >= 0 && sy >= 0 && sx < in.width && sy < in.height) std::copy_n(in.at(sx, sy), 3, out.at(x, y));
    }
  }
  return out;
}

Image resize_and_crop(const Image& in, const PreprocessConfig& cfg) {
  if (cfg.resize == "squash") return resize_bilinear(in, cfg.input_size, cfg.input_size);
  // shorter-side, as torchvision.transforms.Resize(int): the long side is truncated, not rounded.
  int w = cfg.resize_size, h = cfg.resize_size;
  if (in.width < in.height) {
    h = static_cast<int>(static_cast<int64_t>(cfg.resize_size) * in.height / in.width);
  } else {
    w = static_cast<int>(static_cast<int64_t>(cfg.resize_size) * in.width / in.height);
  }
  return center_crop(resize_bilinear(in, w, h), cfg.input_size, cfg.input_size);
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
