#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "model/model_archive.h"
#include "util/error.h"

using namespace whatcar;
using whatcar::test::fixture;
using whatcar::test::read_bytes;

namespace {

std::string write_temp(const std::vector<unsigned char>& bytes) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("whatcar-archive-" + std::to_string(::getpid()) + ".pt")).string();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return path;
}

// The message check_model_archive throws for these bytes, or "" when it accepts them.
std::string error_of(const std::vector<unsigned char>& bytes) {
  const std::string path = write_temp(bytes);
  std::string message;
  try {
    check_model_archive(path);
  } catch (const ModelError& e) {
    CHECK(e.subject() == path);
    message = e.what();
  }
  std::remove(path.c_str());
  return message;
}

// Offset of the first data byte of the record whose name ends with `suffix`, found through its
// local file header (30 bytes, then the name, then the extra field whose length is at 28).
size_t record_data(const std::vector<unsigned char>& zip, const std::string& suffix) {
  const std::string bytes(zip.begin(), zip.end());
  for (size_t at = bytes.find("PK\3\4"); at != std::string::npos; at = bytes.find("PK\3\4", at + 1)) {
    const size_t name_len = zip[at + 26] | zip[at + 27] << 8;
    const size_t extra_len = zip[at + 28] | zip[at + 29] << 8;
    const std::string name = bytes.substr(at + 30, name_len);
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return at + 30 + name_len + extra_len;
    }
  }
  FAIL("no record ending in " << suffix);
  return 0;
}

}  // namespace

TEST_CASE("an intact model archive passes", "[model_archive]") {
  CHECK(error_of(read_bytes("tiny_model.pt")).empty());
}

TEST_CASE("a damaged pickle or bytecode record is refused by its CRC-32", "[model_archive]") {
  for (const char* record : {"/bytecode.pkl", "/constants.pkl", "/data.pkl", "/extra/whatcar/model.json"}) {
    auto zip = read_bytes("tiny_model.pt");
    zip[record_data(zip, record) + 3] ^= 0x20;
    CHECK_THAT(error_of(zip), Catch::StartsWith("not a loadable TorchScript model: record tiny_model") &&
                                  Catch::Contains(std::string(record) + " fails its CRC-32 check (damaged file)"));
  }
}

TEST_CASE("tensor storages are left to verify's sha256", "[model_archive]") {
  auto zip = read_bytes("tiny_model.pt");
  zip[record_data(zip, "constants/0.storage")] ^= 0x20;
  CHECK(error_of(zip).empty());
}

TEST_CASE("files that are not intact zip archives are refused", "[model_archive]") {
  const auto zip = read_bytes("tiny_model.pt");
  CHECK(error_of(std::vector<unsigned char>(zip.begin(), zip.begin() + zip.size() / 2)) ==
        "not a loadable TorchScript model: no zip end of central directory (truncated file?)");
  CHECK(error_of(read_bytes("images/scene.png")) == "not a loadable TorchScript model: not a zip archive");
  // libtorch would take these for its flatbuffer format (and crash on them).
  const std::string flatbuffer = "PK\3\4PTMF" + std::string(1000, '0');
  CHECK(error_of(std::vector<unsigned char>(flatbuffer.begin(), flatbuffer.end())) ==
        "not a loadable TorchScript model: not a zip archive");
  // The end record pointing the central directory past the end of the file.
  auto moved = zip;
  const size_t end = zip.size() - 22;
  REQUIRE(moved[end] == 'P');
  moved[end + 19] = 0x7f;
  CHECK(error_of(moved) == "not a loadable TorchScript model: central directory lies outside the file");
  // A central directory entry whose name runs past the directory.
  auto long_name = zip;
  const size_t dir = zip[end + 16] | zip[end + 17] << 8 | zip[end + 18] << 16 | zip[end + 19] << 24;
  long_name[dir + 28] = 0xff;
  long_name[dir + 29] = 0xff;
  CHECK(error_of(long_name) == "not a loadable TorchScript model: zip central directory is damaged");
}
