// Turning a decoded image into the model's input, exactly as the training pipeline's
// evaluation transform does (Pillow's antialiased bilinear resize, crop, normalise).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "image/image.h"

namespace whatcar {

struct PreprocessConfig {
  // "squash": resize the whole image to input_size x input_size (aspect not kept).
  // "letterbox": resize the whole image so that its longer side is input_size, aspect kept,
  // at the top-left of a black canvas (letterbox_size()): input_size x input_size, or with
  // pad_to, the resized image rounded up to multiples of pad_to (input_dims()).
  // "shorter-side": resize the shorter side to resize_size, then center-crop input_size.
  std::string resize = "squash";
  int resize_size = 0;
  int input_size = 0;
  // A letterbox's canvas only as large as the image needs: a fully convolutional detector of
  // stride pad_to spends no time on the rows a square canvas would leave black. 0: square.
  int pad_to = 0;
  std::string interpolation = "bilinear";  // Pillow's antialiased bilinear (the only one implemented)
  std::array<float, 3> mean{};
  std::array<float, 3> std{};
};

// Pillow's Image.resize(size, Image.BILINEAR), bit for bit: separable triangle filter whose
// support widens with the downscale factor, 22-bit fixed-point weights, horizontal pass first.
Image resize_bilinear(const Image& in, int width, int height);

// The output pixels [x0, x0 + window_w) x [y0, y0 + window_h) of resize_bilinear(in, width,
// height), computed without the rest of the resized image.
Image resize_window(const Image& in, int64_t width, int64_t height, int64_t x0, int64_t y0, int window_w,
                    int window_h);

// torchvision's center_crop offset along one axis (round half to even, as Python's round()).
int64_t crop_offset(int64_t size, int crop);

// The smallest shorter side an image may be decoded at (JPEG DCT scaling) for this
// preprocessing: twice the size it is resized to, so every output pixel of the antialiased
// resize still averages 2x2 or more decoded pixels. bench/jpeg_scaling.sh measures how often
// the top-1 answer changes against a full-size decode.
int min_decode_short_side(const PreprocessConfig& cfg);

// The size a width x height image is resized to inside a letterboxed input of size x size:
// the longer side becomes size, the other is rounded (half to even), at least 1.
std::pair<int, int> letterbox_size(int width, int height, int size);

// The model's input (width, height) for a width x height image: input_size square, except
// a letterbox with pad_to.
std::pair<int, int> input_dims(const PreprocessConfig& cfg, int width, int height);

// The pixels [x0, x0 + w) x [y0, y0 + h), which must lie inside `in`.
Image crop(const Image& in, int x0, int y0, int w, int h);

// Resized/cropped image, before normalisation.
Image resize_and_crop(const Image& in, const PreprocessConfig& cfg);

// Writes the normalised CHW float tensor (3 x height x width of `cropped`) to out.
void normalize_into(const Image& cropped, const PreprocessConfig& cfg, float* out);

// Writes 3 x input_dims() floats to out.
void preprocess_into(const Image& in, const PreprocessConfig& cfg, float* out);

}  // namespace whatcar
