#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "output/atomic_file.h"
#include "util/error.h"

using whatcar::AtomicFile;
namespace fs = std::filesystem;

TEST_CASE("an atomic file appears only when committed", "[atomic_file]") {
  const fs::path dir = fs::temp_directory_path() / ("whatcar-atomic-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string target = (dir / "out.txt").string();
  {
    AtomicFile f(target);
    std::fputs("partial", f.stream());
    CHECK(fs::exists(f.temp_path()));
    CHECK_FALSE(fs::exists(target));
  }  // abandoned
  CHECK_FALSE(fs::exists(target));
  CHECK(fs::is_empty(dir));
  {
    AtomicFile f(target);
    std::fputs("complete\n", f.stream());
    f.commit();
  }
  std::ifstream in(target);
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == "complete\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  fs::remove_all(dir);
  CHECK_THROWS_AS(AtomicFile((dir / "missing" / "x").string()), whatcar::Error);
}
