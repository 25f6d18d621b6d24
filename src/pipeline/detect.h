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

// Rows in the detector's input pixels (the image squashed or letterboxed to S x S) to vehicles in
// an image of width x height: rows that are not finite, of another class, under min_score or of zero area
// after clipping to the image are dropped; non-maximum suppression at the metadata's IoU keeps
// the best of overlapping boxes whatever their vehicle class (COCO calls one pickup both car
// and truck). Sorted main car first: the largest box.
std::vector<Detection> vehicles(const std::vector<DetectionRow>& rows, const DetectorMetadata& meta, double min_score,
                                int width, int height);

// `box` grown by `margin` times its width and height on each side, clipped to the image, in
// whole pixels (x2, y2 exclusive), never empty.
Box crop_region(const Box& box, double margin, int width, int height);

}  // namespace whatcar
