// The query options of POST /v1/classify (?top=3&all_cars=1&no_detect=0), named and checked as
// on the command line.
#pragma once

#include <map>
#include <string>

#include "server/recognition_pool.h"

namespace whatcar::server {

// Options not in `params` keep their value from `defaults`. Throws UsageError naming the
// option for an unknown option, a repeated one or a bad value.
RequestOptions parse_request_options(const std::multimap<std::string, std::string>& params,
                                     const RequestOptions& defaults);

}  // namespace whatcar::server
