#include "output/writers.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace whatcar {
namespace {

using Json = nlohmann::ordered_json;

// Invalid UTF-8 (file names are bytes) becomes U+FFFD instead of an exception.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Probabilities to 6 decimals, pixels to 2: enough for every use, and stable across runs.
double rounded(double v, double scale) { return std::round(v * scale) / scale; }

Json prediction_json(const Prediction& p, size_t rank) {
  return {{"rank", rank},          {"label", p.label}, {"make", p.make},   {"model", p.model},
          {"body", p.body},        {"year", p.year},   {"index", p.index}, {"probability", rounded(p.probability, 1e6)}};
}

Json predictions_json(const std::vector<Prediction>& predictions) {
  Json out = Json::array();
  for (size_t i = 0; i < predictions.size(); ++i) out.push_back(prediction_json(predictions[i], i + 1));
  return out;
}

Json car_json(const Car& car) {
  const Box& b = car.box;
  Json j = {{"box", {rounded(b.x1, 100), rounded(b.y1, 100), rounded(b.x2, 100), rounded(b.y2, 100)}},
            {"score", car.score ? Json(rounded(*car.score, 1e6)) : Json()},
            {"confident", car.confident},
            {"make", {{"name", car.make.name}, {"probability", rounded(car.make.probability, 1e6)}}},
            {"predictions", predictions_json(car.predictions)}};
  return j;
}

class StreamWriter : public Writer {
 public:
  StreamWriter(std::FILE* out, std::string name) : out_(out), name_(std::move(name)) {}

 protected:
  template <typename... Args>
  void print(fmt::format_string<Args...> f, Args&&... args) {
    emit(fmt::format(f, std::forward<Args>(args)...));
  }
  void emit(const std::string& s) {
    if (std::fwrite(s.data(), 1, s.size(), out_) != s.size()) fail();
  }
  void flush() {
    if (std::fflush(out_) != 0) fail();
  }

 private:
  [[noreturn]] void fail() {
    throw Error(name_, fmt::format("write error: {}", std::strerror(errno)), kExitSomeFailed);
  }
  std::FILE* out_;
  std::string name_;
};

class TextWriter : public StreamWriter {
 public:
  TextWriter(std::FILE* out, std::string name, WriterOptions o) : StreamWriter(out, std::move(name)), opts_(o) {}
  void write(const Result& r) override {
    if (r.error) return;  // reported on stderr by the command
    if (opts_.many_inputs) print("{}{}\n", count_++ ? "\n" : "", r.path);
    if (r.cars.empty()) print("  no car found\n");
    for (size_t c = 0; c < r.cars.size(); ++c) {
      const Car& car = r.cars[c];
      if (r.cars.size() > 1 || car.score) {
        print("  car {} at [{:.0f}, {:.0f}, {:.0f}, {:.0f}]{}\n", c + 1, car.box.x1, car.box.y1, car.box.x2, car.box.y2,
              car.score ? fmt::format(", detector score {:.2f}", *car.score) : "");
      }
      if (!car.confident) print("  no confident car match; best guesses:\n");
      for (size_t i = 0; i < car.predictions.size(); ++i) {
        const auto& p = car.predictions[i];
        print("{:>3}  {:>6.2f}%  {}\n", i + 1, 100 * p.probability, p.label);
      }
      print("  make: {} {:.2f}%\n", car.make.name, 100 * car.make.probability);
    }
    flush();
  }

 private:
  WriterOptions opts_;
  int count_ = 0;
};

class JsonlWriter : public StreamWriter {
 public:
  using StreamWriter::StreamWriter;
  void write(const Result& r) override {
    emit(json_record(r) + "\n");
    flush();
  }
};

class JsonWriter : public StreamWriter {
 public:
  using StreamWriter::StreamWriter;
  void begin() override { emit("["); }
  void write(const Result& r) override {
    emit((count_++ ? ",\n" : "\n") + json_record(r));
    flush();
  }
  void end() override {
    emit(count_ ? "\n]\n" : "]\n");
    flush();
  }

 private:
  int count_ = 0;
};

class DelimitedWriter : public StreamWriter {
 public:
  DelimitedWriter(std::FILE* out, std::string name, char sep)
      : StreamWriter(out, std::move(name)), sep_(sep), field_(sep == ',' ? csv_field : tsv_field) {}
  void begin() override {
    row({"file", "car", "x1", "y1", "x2", "y2", "score", "confident", "car_make", "car_make_probability", "rank",
         "label", "make", "model", "body", "year", "index", "probability", "error"});
    flush();
  }
  // One row per car and rank; a failed input or a photo without a car gets one row of its own.
  void write(const Result& r) override {
    if (r.error || r.cars.empty()) {
      std::vector<std::string> fields(19);
      fields[0] = r.path;
      fields[18] = r.error.value_or("");
      row(fields);
    }
    for (size_t c = 0; c < r.cars.size(); ++c) {
      const Car& car = r.cars[c];
      for (size_t i = 0; i < car.predictions.size(); ++i) {
        const auto& p = car.predictions[i];
        row({r.path, std::to_string(c + 1), number(car.box.x1, 2), number(car.box.y1, 2), number(car.box.x2, 2),
             number(car.box.y2, 2), car.score ? number(*car.score, 6) : "", car.confident ? "true" : "false",
             car.make.name, number(car.make.probability, 6), std::to_string(i + 1), p.label, p.make, p.model, p.body,
             p.year, std::to_string(p.index), number(p.probability, 6), ""});
      }
    }
    flush();
  }

 private:
  static std::string number(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }
  void row(const std::vector<std::string>& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) line += (i ? std::string(1, sep_) : "") + field_(fields[i]);
    emit(line + "\n");
  }
  char sep_;
  std::string (*field_)(const std::string&);
};

}  // namespace

std::string json_record(const Result& r) {
  Json j = {{"file", r.path}};
  if (r.error) {
    j["error"] = *r.error;
  } else {
    Json cars = Json::array();
    for (const Car& car : r.cars) cars.push_back(car_json(car));
    j["cars"] = std::move(cars);
    j["predictions"] = predictions_json(r.predictions());
  }
  if (r.timings) {
    const auto& t = *r.timings;
    j["timings_ms"] = {{"decode", rounded(t.decode_ms, 1e3)},
                       {"preprocess", rounded(t.preprocess_ms, 1e3)},
                       {"detect", rounded(t.detect_ms, 1e3)},
                       {"inference", rounded(t.inference_ms, 1e3)},
                       {"total", rounded(t.total_ms, 1e3)}};
  }
  return dump(j);
}

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names{"text", "json", "jsonl", "csv", "tsv"};
  return names;
}

Format parse_format(const std::string& name) {
  const auto& names = format_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Format>(i);
  }
  throw UsageError(fmt::format("unknown format '{}' (text, json, jsonl, csv, tsv)", name));
}

std::string json_string(const std::string& s) { return dump(Json(s)); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string tsv_field(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

std::unique_ptr<Writer> make_writer(Format format, std::FILE* out, std::string out_name, WriterOptions opts) {
  switch (format) {
    case Format::kText: return std::make_unique<TextWriter>(out, std::move(out_name), opts);
    case Format::kJson: return std::make_unique<JsonWriter>(out, std::move(out_name));
    case Format::kJsonl: return std::make_unique<JsonlWriter>(out, std::move(out_name));
    case Format::kCsv: return std::make_unique<DelimitedWriter>(out, std::move(out_name), ',');
    case Format::kTsv: return std::make_unique<DelimitedWriter>(out, std::move(out_name), '\t');
  }
  throw UsageError("unknown format");
}

}  // namespace whatcar
