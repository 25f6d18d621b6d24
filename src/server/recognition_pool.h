// The workers of `serve`: a fixed number of threads run the networks on uploaded photos, fed by
// a bounded queue. A full queue refuses at once (the caller answers 503) instead of letting a
// backlog grow without end.
#pragma once

#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/detector.h"
#include "model/model.h"
#include "pipeline/recognizer.h"
#include "pipeline/result.h"
#include "util/bounded_queue.h"

namespace whatcar::server {

// What a request may change of the server's recognition options.
struct RequestOptions {
  int top_k = 5;
  bool all_cars = false;
  bool no_detect = false;
};

struct Upload {
  std::vector<uint8_t> bytes;
  std::string name;  // the uploaded file's name, or "upload"
  RequestOptions options;
};

class RecognitionPool {
 public:
  // `defaults` holds the server-wide options (thresholds, limits); each upload brings its own
  // RequestOptions. Without a detector (nullptr) every upload is classified whole.
  RecognitionPool(Model& classifier, Detector* detector, RecognizeOptions defaults, size_t workers,
                  size_t queue_capacity);
  ~RecognitionPool();  // finishes what is queued, then joins the workers

  RecognitionPool(const RecognitionPool&) = delete;
  RecognitionPool& operator=(const RecognitionPool&) = delete;

  // None when the queue is full. The future holds the result (a decoding error is in it) or
  // rethrows what the networks threw.
  std::optional<std::future<Result>> submit(Upload upload);

  size_t queue_depth() const { return queue_.size(); }
  size_t queue_capacity() const { return capacity_; }
  size_t workers() const { return workers_.size(); }

 private:
  struct Job {
    Upload upload;
    std::promise<Result> promise;
  };
  void work();
  Result recognize(const Upload& upload);

  Model& classifier_;
  Detector* detector_;
  RecognizeOptions defaults_;
  size_t capacity_;
  BoundedQueue<Job> queue_;
  std::vector<std::thread> workers_;
};

}  // namespace whatcar::server
