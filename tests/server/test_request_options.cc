#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "server/request_options.h"
#include "util/error.h"

using whatcar::server::parse_request_options;
using whatcar::server::RequestOptions;
using Params = std::multimap<std::string, std::string>;

TEST_CASE("request options override the server's defaults", "[request_options]") {
  RequestOptions defaults;
  defaults.top_k = 5;
  const RequestOptions none = parse_request_options({}, defaults);
  CHECK(none.top_k == 5);
  CHECK_FALSE(none.all_cars);
  CHECK_FALSE(none.no_detect);

  const RequestOptions o = parse_request_options(Params{{"top", "3"}, {"all_cars", "1"}, {"no_detect", "true"}}, defaults);
  CHECK(o.top_k == 3);
  CHECK(o.all_cars);
  CHECK(o.no_detect);

  RequestOptions detecting_all = defaults;
  detecting_all.all_cars = true;
  CHECK_FALSE(parse_request_options(Params{{"all_cars", "0"}}, detecting_all).all_cars);
  CHECK(parse_request_options(Params{{"all_cars", ""}}, defaults).all_cars);  // ?all_cars alone
  CHECK(parse_request_options(Params{{"name", "car.jpg"}}, defaults).top_k == 5);
}

TEST_CASE("bad request options are refused with the option's name", "[request_options]") {
  const RequestOptions d;
  CHECK_THROWS_WITH(parse_request_options(Params{{"top", "0"}}, d), Catch::Contains("top"));
  CHECK_THROWS_WITH(parse_request_options(Params{{"top", "5x"}}, d), Catch::Contains("'5x'"));
  CHECK_THROWS_WITH(parse_request_options(Params{{"top", "99999999999999999999"}}, d), Catch::Contains("top"));
  CHECK_THROWS_WITH(parse_request_options(Params{{"top", "1001"}}, d), Catch::Contains("1 to 1000"));
  CHECK_THROWS_WITH(parse_request_options(Params{{"all_cars", "maybe"}}, d), Catch::Contains("all_cars"));
  CHECK_THROWS_WITH(parse_request_options(Params{{"topk", "3"}}, d), Catch::Contains("unknown option 'topk'"));
  CHECK_THROWS_WITH(parse_request_options(Params{{"top", "3"}, {"top", "4"}}, d), Catch::Contains("more than once"));
  CHECK_THROWS_AS(parse_request_options(Params{{"top", "-1"}}, d), whatcar::UsageError);
}
