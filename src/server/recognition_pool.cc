#include "server/recognition_pool.h"

#include <exception>

namespace whatcar::server {

RecognitionPool::RecognitionPool(Model& classifier, Detector* detector, RecognizeOptions defaults, size_t workers,
                                 size_t queue_capacity)
    : classifier_(classifier), detector_(detector), defaults_(defaults), capacity_(queue_capacity), queue_(queue_capacity) {
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

RecognitionPool::~RecognitionPool() {
  queue_.close();
  for (auto& t : workers_) t.join();
}

std::optional<std::future<Result>> RecognitionPool::submit(Upload upload) {
  Job job{std::move(upload), {}};
  std::future<Result> result = job.promise.get_future();
  if (!queue_.try_push(std::move(job))) return std::nullopt;
  return result;
}

Result RecognitionPool::recognize(const Upload& upload) {
  RecognizeOptions opts = defaults_;
  opts.top_k = upload.options.top_k;
  opts.all_cars = upload.options.all_cars;
  // A Recognizer holds only options and references to the shared networks: one per request
  // costs nothing, and the networks' forward passes are safe to run from several threads.
  Recognizer recognizer(classifier_, upload.options.no_detect ? nullptr : detector_, opts);
  return recognizer.recognize_bytes(upload.bytes, upload.name);
}

void RecognitionPool::work() {
  while (std::optional<Job> job = queue_.pop()) {
    try {
      job->promise.set_value(recognize(job->upload));
    } catch (...) {
      job->promise.set_exception(std::current_exception());
    }
  }
}

}  // namespace whatcar::server
