#include "server/request_options.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

#include "util/error.h"

namespace whatcar::server {
namespace {

// More predictions than any classifier has classes are cut to its classes by the pipeline.
constexpr long kMaxTop = 1000;

bool parse_flag(const std::string& name, const std::string& value) {
  if (value.empty() || value == "1" || value == "true" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "no") return false;
  throw UsageError(fmt::format("{}: expected 1 or 0, true or false, not '{}'", name, value));
}

int parse_top(const std::string& value) {
  errno = 0;
  char* end = nullptr;
  const long n = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || n < 1 || n > kMaxTop) {
    throw UsageError(fmt::format("top: expected a whole number from 1 to {}, not '{}'", kMaxTop, value));
  }
  return static_cast<int>(n);
}

}  // namespace

RequestOptions parse_request_options(const std::multimap<std::string, std::string>& params,
                                     const RequestOptions& defaults) {
  RequestOptions o = defaults;
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string& name = it->first;
    if (params.count(name) > 1) throw UsageError(fmt::format("{}: given more than once", name));
    if (name == "top") {
      o.top_k = parse_top(it->second);
    } else if (name == "all_cars") {
      o.all_cars = parse_flag(name, it->second);
    } else if (name == "no_detect") {
      o.no_detect = parse_flag(name, it->second);
    } else if (name != "name") {
      throw UsageError(fmt::format("unknown option '{}' (options: top, all_cars, no_detect, name)", name));
    }
  }
  return o;
}

}  // namespace whatcar::server
