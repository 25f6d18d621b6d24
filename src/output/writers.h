// Writing classification results: text for people; json, jsonl, csv and tsv for scripts.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/result.h"

namespace whatcar {

enum class Format { kText, kJson, kJsonl, kCsv, kTsv };

// "text", "json", ... ; throws UsageError for anything else.
Format parse_format(const std::string& name);
const std::vector<std::string>& format_names();

// One result as the single-line JSON object of the json and jsonl formats (and of `serve`).
std::string json_record(const Result& r);

// Escaping, exposed for tests.
std::string json_string(const std::string& s);  // quoted; invalid UTF-8 becomes U+FFFD
std::string csv_field(const std::string& s);
std::string tsv_field(const std::string& s);

class Writer {
 public:
  virtual ~Writer() = default;
  virtual void begin() {}
  virtual void write(const Result& r) = 0;
  virtual void end() {}
};

struct WriterOptions {
  bool many_inputs = false;  // text: name each file above its predictions
};

// Writes to `out` as results come. Each record is flushed; a failed write throws Error
// naming `out_name` (EPIPE included: the caller decides to stay quiet about it).
std::unique_ptr<Writer> make_writer(Format format, std::FILE* out, std::string out_name, WriterOptions opts = {});

}  // namespace whatcar
