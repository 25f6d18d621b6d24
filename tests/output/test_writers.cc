#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "output/writers.h"
#include "util/error.h"

using namespace whatcar;

namespace {

Result sample() {
  Result r;
  r.path = "dir/a,b \"c\".jpg";
  Car car;
  car.box = {0, 0, 640, 480};
  car.make = {"Beta", 0.75};
  car.predictions = {{3, "Beta \"Q\", 2010", "Beta", "\"Q\",", "", "2010", 0.75},
                     {0, "Tab\there", "Tab", "here", "", "", 0.25}};
  r.cars.push_back(car);
  return r;
}

Result failed() {
  Result r;
  r.path = "bad.jpg";
  r.error = "empty file";
  return r;
}

std::string render(Format f, const std::vector<Result>& results, WriterOptions o = {}) {
  std::FILE* tmp = std::tmpfile();
  auto w = make_writer(f, tmp, "tmp", o);
  w->begin();
  for (const auto& r : results) w->write(r);
  w->end();
  std::string out(static_cast<size_t>(std::ftell(tmp)), '\0');
  std::rewind(tmp);
  REQUIRE(std::fread(out.data(), 1, out.size(), tmp) == out.size());
  std::fclose(tmp);
  return out;
}

}  // namespace

TEST_CASE("json_string escapes quotes, backslashes, controls and bad UTF-8", "[output]") {
  CHECK(json_string("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json_string("tab\there\nnl") == R"("tab\there\nnl")");
  CHECK(json_string(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
  CHECK(json_string("Café ✓") == "\"Café ✓\"");
  CHECK(json_string("bad\xff\xfe") == "\"bad\ufffd\ufffd\"");
  CHECK(json_string("\xc3") == "\"\ufffd\"");  // truncated sequence
  CHECK(json_string("\xed\xa0\x80") == "\"\ufffd\ufffd\ufffd\"");  // UTF-16 surrogate
}

TEST_CASE("csv and tsv fields are escaped", "[output]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(tsv_field("a\tb\\c\nd") == "a\\tb\\\\c\\nd");
}

TEST_CASE("jsonl writes one object per line", "[output]") {
  const std::string out = render(Format::kJsonl, {sample(), failed()});
  CHECK(out ==
        "{\"file\":\"dir/a,b \\\"c\\\".jpg\",\"cars\":[{\"box\":[0.0,0.0,640.0,480.0],\"score\":null,"
        "\"confident\":true,\"make\":{\"name\":\"Beta\",\"probability\":0.75},\"predictions\":["
        "{\"rank\":1,\"label\":\"Beta \\\"Q\\\", 2010\",\"make\":\"Beta\",\"model\":\"\\\"Q\\\",\",\"body\":\"\","
        "\"year\":\"2010\",\"index\":3,\"probability\":0.75},"
        "{\"rank\":2,\"label\":\"Tab\\there\",\"make\":\"Tab\",\"model\":\"here\",\"body\":\"\",\"year\":\"\","
        "\"index\":0,\"probability\":0.25}]}],"
        "\"predictions\":[{\"rank\":1,\"label\":\"Beta \\\"Q\\\", 2010\",\"make\":\"Beta\",\"model\":\"\\\"Q\\\",\","
        "\"body\":\"\",\"year\":\"2010\",\"index\":3,\"probability\":0.75},"
        "{\"rank\":2,\"label\":\"Tab\\there\",\"make\":\"Tab\",\"model\":\"here\",\"body\":\"\",\"year\":\"\","
        "\"index\":0,\"probability\":0.25}]}\n"
        "{\"file\":\"bad.jpg\",\"error\":\"empty file\"}\n");
}

TEST_CASE("a photo without a car is an empty car list, not an error", "[output]") {
  Result r;
  r.path = "road.jpg";
  CHECK(render(Format::kJsonl, {r}) == "{\"file\":\"road.jpg\",\"cars\":[],\"predictions\":[]}\n");
  CHECK(render(Format::kText, {r}) == "  no car found\n");
  CHECK(render(Format::kCsv, {r}).find("\nroad.jpg,,,,,,,,,,,,,,,,,,\n") != std::string::npos);
}

TEST_CASE("detected cars are named with their box and score in text", "[output]") {
  Result r = sample();
  r.cars.front().score = 0.91;
  r.cars.push_back(r.cars.front());
  r.cars.back().box = {10, 20, 30.4, 40.6};
  const std::string out = render(Format::kText, {r});
  CHECK(out.find("  car 1 at [0, 0, 640, 480], detector score 0.91\n") == 0);
  CHECK(out.find("  car 2 at [10, 20, 30, 41], detector score 0.91\n") != std::string::npos);
}

TEST_CASE("json is one array, also when empty", "[output]") {
  CHECK(render(Format::kJson, {}) == "[]\n");
  const std::string out = render(Format::kJson, {failed(), failed()});
  CHECK(out == "[\n{\"file\":\"bad.jpg\",\"error\":\"empty file\"},\n{\"file\":\"bad.jpg\",\"error\":\"empty file\"}\n]\n");
}

TEST_CASE("csv has a header and a row per car and rank", "[output]") {
  CHECK(render(Format::kCsv, {sample(), failed()}) ==
        "file,car,x1,y1,x2,y2,score,confident,car_make,car_make_probability,rank,label,make,model,body,year,index,"
        "probability,error\n"
        "\"dir/a,b \"\"c\"\".jpg\",1,0.00,0.00,640.00,480.00,,true,Beta,0.750000,1,\"Beta \"\"Q\"\", 2010\",Beta,"
        "\"\"\"Q\"\",\",,2010,3,0.750000,\n"
        "\"dir/a,b \"\"c\"\".jpg\",1,0.00,0.00,640.00,480.00,,true,Beta,0.750000,2,Tab\there,Tab,here,,,0,0.250000,\n"
        "bad.jpg,,,,,,,,,,,,,,,,,,empty file\n");
  CHECK(render(Format::kTsv, {sample()}).find("Tab\\there") != std::string::npos);
}

TEST_CASE("text aligns ranks and percentages, naming files when there are several", "[output]") {
  Result r = sample();
  CHECK(render(Format::kText, {r}) == "  1   75.00%  Beta \"Q\", 2010\n  2   25.00%  Tab\there\n  make: Beta 75.00%\n");
  r.cars.front().confident = false;
  const std::string many = render(Format::kText, {r, failed(), r}, {true});
  CHECK(many.rfind("dir/a,b \"c\".jpg\n  no confident car match; best guesses:\n  1   75.00%", 0) == 0);
  CHECK(many.find("bad.jpg") == std::string::npos);  // errors go to stderr, not into the text
}

TEST_CASE("timings appear in json records when measured", "[output]") {
  Result r = failed();
  r.timings = Timings{1.5, 2, 0.5, 3, 7};
  CHECK(render(Format::kJsonl, {r}).find("\"timings_ms\":{\"decode\":1.5,\"preprocess\":2.0,\"detect\":0.5,"
                                         "\"inference\":3.0,\"total\":7.0}") != std::string::npos);
}

TEST_CASE("a failed write is an error, not silence", "[output][errors]") {
  std::FILE* full = std::fopen("/dev/full", "w");
  REQUIRE(full != nullptr);
  auto w = make_writer(Format::kJsonl, full, "/dev/full");
  CHECK_THROWS_WITH(w->write(sample()), Catch::Contains("No space left on device"));
  std::fclose(full);
}

TEST_CASE("formats are parsed by name", "[output]") {
  CHECK(parse_format("csv") == Format::kCsv);
  CHECK_THROWS_AS(parse_format("xml"), UsageError);
}
