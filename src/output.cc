#include "output.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace whatcar {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0.
size_t utf8_sequence(const std::string& s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
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
    if (!r.confident) print("  no confident car match; best guesses:\n");
    for (size_t i = 0; i < r.predictions.size(); ++i) {
      const auto& p = r.predictions[i];
      print("{:>3}  {:>6.2f}%  {}\n", i + 1, 100 * p.probability, p.label);
    }
    flush();
  }

 private:
  WriterOptions opts_;
  int count_ = 0;
};

std::string json_record(const Result& r) {
  std::string s = fmt::format("{{\"file\":{}", json_string(r.path));
  if (r.error) {
    s += fmt::format(",\"error\":{}", json_string(*r.error));
  } else {
    s += fmt::format(",\"confident\":{},\"predictions\":[", r.confident ? "true" : "false");
    for (size_t i = 0; i < r.predictions.size(); ++i) {
      const auto& p = r.predictions[i];
      s += fmt::format("{}{{\"rank\":{},\"label\":{},\"index\":{},\"probability\":{:.6f}}}", i ? "," : "", i + 1,
                       json_string(p.label), p.index, p.probability);
    }
    s += "]";
  }
  if (r.timings) {
    const auto& t = *r.timings;
    s += fmt::format(",\"timings_ms\":{{\"decode\":{:.3f},\"preprocess\":{:.3f},\"inference\":{:.3f},\"total\":{:.3f}}}",
                     t.decode_ms, t.preprocess_ms, t.inference_ms, t.total_ms);
  }
  return s + "}";
}

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
    row({"file", "rank", "label", "index", "probability", "confident", "error"});
    flush();
  }
  void write(const Result& r) override {
    if (r.error) row({r.path, "", "", "", "", "", *r.error});
    for (size_t i = 0; i < r.predictions.size(); ++i) {
      const auto& p = r.predictions[i];
      row({r.path, std::to_string(i + 1), p.label, std::to_string(p.index), fmt::format("{:.6f}", p.probability),
           r.confident ? "true" : "false", ""});
    }
    flush();
  }

 private:
  void row(const std::vector<std::string>& fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) line += (i ? std::string(1, sep_) : "") + field_(fields[i]);
    emit(line + "\n");
  }
  char sep_;
  std::string (*field_)(const std::string&);
};

}  // namespace

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

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  return out + "\"";
}

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
