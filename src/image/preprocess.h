// Turning a decoded image into the model's input, exactly as the training pipeline's
// evaluation transform does (Pillow's antialiased bilinear resize, crop, normalise).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "image/image.h"

namespace whatcar {

struct PreprocessConfig {
  // "squash": resize the whole image to input_size x input_size (aspect not kept).
  // "shorter-side": resize the shorter side to resize_size, then center-crop input_size.
  std::string resize = "squash";
  int resize_size = 0;
  int input_size = 0;
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

// Resized/cropped image, before normalisation.
Image resize_and_crop(const Image& in, const PreprocessConfig& cfg);

// Writes the normalised CHW float tensor (3 x input_size x input_size) to out.
void normalize_into(const Image& cropped, const PreprocessConfig& cfg, float* out);

void preprocess_into(const Image& in, const PreprocessConfig& cfg, float* out);

}  // namespace whatcar
