#include <catch2/catch.hpp>

#include "util/bounded_queue.h"

using whatcar::BoundedQueue;

TEST_CASE("try_push refuses at capacity instead of waiting", "[bounded_queue]") {
  BoundedQueue<int> q(2);
  CHECK(q.try_push(1));
  CHECK(q.try_push(2));
  CHECK_FALSE(q.try_push(3));
  CHECK(q.size() == 2);
  CHECK(q.pop() == 1);
  CHECK(q.try_push(3));
  CHECK(q.size() == 2);
}

TEST_CASE("a closed queue drains what it holds and takes nothing more", "[bounded_queue]") {
  BoundedQueue<int> q(4);
  CHECK(q.push(1));
  q.close();
  CHECK_FALSE(q.try_push(2));
  CHECK_FALSE(q.push(3));
  CHECK(q.pop() == 1);
  CHECK_FALSE(q.pop().has_value());
}

TEST_CASE("try_pop takes what is queued, in order, and returns empty at once when nothing is", "[bounded_queue]") {
  BoundedQueue<int> q(2);
  CHECK_FALSE(q.try_pop().has_value());
  CHECK(q.push(1));
  CHECK(q.push(2));
  CHECK(q.try_pop() == 1);
  CHECK(q.try_push(3));  // the pop made room
  CHECK(q.try_pop() == 2);
  CHECK(q.try_pop() == 3);
  CHECK_FALSE(q.try_pop().has_value());
  q.close();
  CHECK_FALSE(q.try_pop().has_value());
}
