#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fixtures.h"
#include "image/read_input.h"
#include "util/error.h"

using whatcar::read_input;
using whatcar::ReadLimits;

namespace {

std::string error_of(const std::string& path, ReadLimits limits = {}) {
  try {
    read_input(path, limits);
  } catch (const whatcar::InputError& e) {
    return e.what();
  }
  return "";
}

// A copy of a fixture grown to `size` bytes without writing them (a sparse tail of zeros).
std::string grown_copy(const std::string& fixture_name, uintmax_t size) {
  const auto path = std::filesystem::temp_directory_path() / ("whatcar-grown-" + std::to_string(::getpid()) + ".jpg");
  std::filesystem::copy_file(whatcar::test::fixture(fixture_name), path,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, size);
  return path.string();
}

}  // namespace

TEST_CASE("an image file is read whole, byte for byte", "[image][read]") {
  CHECK(read_input(whatcar::test::fixture("images/scene.jpg")) == whatcar::test::read_bytes("images/scene.jpg"));
}

TEST_CASE("the byte cap says which limit was hit", "[image][read]") {
  const std::string jpeg = whatcar::test::fixture("images/scene.jpg");
  CHECK_THAT(error_of(jpeg, {whatcar::kDefaultMaxPixels, 100}), Catch::Contains("over the limit of 0.0 MB (--max-bytes)"));
  // 120x80 pixels cannot need 40 MB: refused from the header, before the rest is read.
  const std::string grown = grown_copy("images/scene.jpg", 40'000'000);
  CHECK_THAT(error_of(grown), Catch::Contains("file is 40.0 MB, more than 16.9 MB (what a 120x80 JPEG can hold)"));
  std::filesystem::remove(grown);
}

TEST_CASE("endless streams are refused from their first bytes", "[image][read]") {
  const auto start = std::chrono::steady_clock::now();
  CHECK(error_of("/dev/zero") == "not a supported image format");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("a pipe is read to its end", "[image][read]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const auto expected = whatcar::test::read_bytes("images/scene.png");
  std::thread writer([&] {
    for (size_t off = 0; off < expected.size(); off += 100) {  // in pieces, as a network would
      const size_t n = std::min<size_t>(100, expected.size() - off);
      CHECK(::write(fds[1], expected.data() + off, n) == static_cast<ssize_t>(n));
    }
    ::close(fds[1]);
  });
  const auto got = read_input("/dev/fd/" + std::to_string(fds[0]));
  writer.join();
  ::close(fds[0]);
  CHECK(got == expected);
}
