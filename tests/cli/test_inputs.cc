#include <catch2/catch.hpp>

#include <cstdio>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/inputs.h"
#include "util/error.h"

using namespace whatcar;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> all(InputOptions o) {
  InputSource src(std::move(o));
  std::vector<std::string> out;
  for (InputItem it; src.next(&it);) out.push_back(it.error ? "ERROR " + it.path : it.path);
  return out;
}

struct TempTree {
  fs::path root = fs::temp_directory_path() / ("whatcar-inputs-" + std::to_string(::getpid()));
  TempTree() {
    fs::create_directories(root / "b" / "c");
    for (const char* f : {"z.jpg", "a.PNG", "notes.txt", "b/m.gif", "b/c/k.jpeg"}) std::ofstream(root / f) << "x";
  }
  ~TempTree() { fs::remove_all(root); }
  std::string p(const std::string& rel) const { return (root / rel).string(); }
};

}  // namespace

TEST_CASE("shards are parsed as I/N", "[inputs]") {
  CHECK(parse_shard("1/4").index == 1);
  CHECK(parse_shard("1/4").count == 4);
  CHECK_THROWS_AS(parse_shard("4/4"), UsageError);
  CHECK_THROWS_AS(parse_shard("1/0"), UsageError);
  CHECK_THROWS_AS(parse_shard("a/4"), UsageError);
  CHECK_THROWS_AS(parse_shard("1/4x"), UsageError);
  CHECK_THROWS_AS(parse_shard("3"), UsageError);
}

TEST_CASE("extension lists are normalised", "[inputs]") {
  CHECK(parse_extensions("jpg,.PNG,,gif") == std::vector<std::string>{".jpg", ".png", ".gif"});
  CHECK(parse_extensions("").empty());
}

TEST_CASE("directories are walked in sorted order, filtered by extension", "[inputs]") {
  TempTree t;
  InputOptions o;
  o.paths = {t.root.string()};
  CHECK(all(o) == std::vector<std::string>{t.p("a.PNG"), t.p("b/c/k.jpeg"), t.p("b/m.gif"), t.p("z.jpg")});
  o.recursive = false;
  CHECK(all(o) == std::vector<std::string>{t.p("a.PNG"), t.p("z.jpg")});
  o.recursive = true;
  o.extensions = {".gif"};
  CHECK(all(o) == std::vector<std::string>{t.p("b/m.gif")});
}

TEST_CASE("shards take every Nth input", "[inputs]") {
  TempTree t;
  InputOptions o;
  o.paths = {t.root.string()};
  o.shard = {1, 2};
  CHECK(all(o) == std::vector<std::string>{t.p("b/c/k.jpeg"), t.p("z.jpg")});
}

TEST_CASE("lists keep their order, skip blank lines, and handle NUL separators", "[inputs]") {
  TempTree t;
  const auto list = t.p("list.txt");
  std::ofstream(list) << "second.jpg\n\nfirst.jpg\r\nthird name.jpg";
  InputOptions o;
  o.files_from = list;
  CHECK(all(o) == std::vector<std::string>{"second.jpg", "first.jpg", "third name.jpg"});
  std::ofstream(list, std::ios::binary) << std::string("a\nb.jpg\0c.jpg\0", 14);
  o.null_separated = true;
  CHECK(all(o) == std::vector<std::string>{"a\nb.jpg", "c.jpg"});
}

TEST_CASE("symlink loops are reported once, not followed forever", "[inputs]") {
  TempTree t;
  fs::create_directory_symlink("..", t.root / "b" / "up");
  InputOptions o;
  o.paths = {t.root.string()};
  const auto got = all(o);
  CHECK(std::count_if(got.begin(), got.end(), [](const std::string& s) { return s.rfind("ERROR ", 0) == 0; }) == 1);
  CHECK(std::count(got.begin(), got.end(), t.p("z.jpg")) == 1);
}
