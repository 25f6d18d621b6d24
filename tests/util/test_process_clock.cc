#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "util/process_clock.h"

using whatcar::ms_since_process_start;

TEST_CASE("process age is known, positive and advances with the wall clock", "[process_clock]") {
  const auto first = ms_since_process_start();
  REQUIRE(first.has_value());
  // The start time is counted in 10 ms clock ticks: allow for its rounding.
  CHECK(*first > -20.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  const auto second = ms_since_process_start();
  REQUIRE(second.has_value());
  // Both readings share the same start time: their difference is the sleep, to the microsecond.
  CHECK(*second - *first >= 59.0);
  CHECK(*second - *first < 1000.0);
}
