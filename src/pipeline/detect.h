// From the detector's raw rows to the cars of one photo: vehicle classes only, above the score
// threshold, boxes in the photo's pixels, no degenerate box, overlaps suppressed, main car first.
#pragma once

#include <vector>

#include "model/detector.h"
#include "pipeline/result.h"

namespace whatcar {

struct Detection {
  Box box;  // in the pixels of the image the detector's input was made from
  double score = 0;
  int class_index = 0;
};

double area(const Box& b);
double iou(const Box& a, const Box& b);

// What makes a box a car, besides its class.
struct CarThresholds {
  double min_score = 0;     // the detector's score
  double min_box_area = 0;  // share of the photo the box covers (after clipping)
};

// Rows in the detector's input pixels (the image squashed or letterboxed to S x S) to vehicles in
// an image of width x height: rows that are not finite, of another class, under the thresholds,
// or less than a pixel wide or high after clipping to the image are dropped; non-maximum
// suppression at the metadata's IoU keeps the best of overlapping boxes whatever their vehicle
// class (COCO calls one pickup both car and truck). Sorted main car first: the largest box.
std::vector<Detection> vehicles(const std::vector<DetectionRow>& rows, const DetectorMetadata& meta,
                                const CarThresholds& thresholds, int width, int height);

// `box` grown by `margin` times its width and height on each side, clipped to the image, in
// whole pixels (x2, y2 exclusive), never empty.
Box crop_region(const Box& box, double margin, int width, int height);

}  // namespace whatcar
