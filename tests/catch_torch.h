// Catch2 for the tests that include libtorch. libtorch's c10 logging defines a CHECK of its own
// that aborts the process instead of recording a failure, and whichever header comes last wins;
// taking c10's first and dropping its CHECK leaves Catch2's.
#pragma once

#include <c10/util/Logging.h>
#undef CHECK
#include <catch2/catch.hpp>
