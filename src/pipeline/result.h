// What recognising one photo produced: the cars found, each with its ranked predictions, or an
// error; built by the pipeline alone (pipeline/recognizer.h) and formatted by output/ alone.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace whatcar {

struct Prediction {
  int index = 0;
  std::string label;  // the full class name, e.g. "Audi TTS Coupe 2012"
  std::string make;   // its parts, from the model's metadata; body and year may be empty
  std::string model;
  std::string body;
  std::string year;
  double probability = 0;
};

// The most probable make: the sum of its classes' probabilities.
struct MakeProbability {
  std::string name;
  double probability = 0;
};

// Pixels of the image after EXIF orientation; (0,0) is its top-left corner.
struct Box {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

struct Car {
  Box box;
  std::optional<double> score;  // the detector's score; none when the box is the whole image
  bool confident = true;        // top-1 probability reached the minimum confidence
  MakeProbability make;
  std::vector<Prediction> predictions;
};

struct Timings {
  double decode_ms = 0;
  double preprocess_ms = 0;  // the first network's input
  double detect_ms = 0;      // detector forward, boxes and the cars' crops
  double inference_ms = 0;   // the classifier's forward pass over the batch
  double total_ms = 0;
  int decode_scale = 1;  // the JPEG was decoded at 1/decode_scale size
};

struct Result {
  std::string path;
  std::vector<Car> cars;  // the main car first
  std::optional<std::string> error;
  std::optional<Timings> timings;

  // The main car's predictions; empty when no car was found or the input failed.
  const std::vector<Prediction>& predictions() const {
    static const std::vector<Prediction> none;
    return cars.empty() ? none : cars.front().predictions;
  }
};

}  // namespace whatcar
