#include "cli/batch.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "cli/models.h"
#include "cli/progress.h"
#include "output/atomic_file.h"
#include "output/writers.h"
#include "pipeline/recognizer.h"
#include "util/bounded_queue.h"
#include "util/error.h"
#include "util/interrupt.h"
#include "util/stopwatch.h"

namespace whatcar {
namespace {

struct Task {
  uint64_t seq = 0;
  InputItem input;
};

// Results arrive from the workers in any order and leave in input order. A worker may only
// deposit a result within `window` of the next one to leave, which bounds memory; the next
// one itself is always admitted, so the pipeline cannot deadlock.
class ReorderBuffer {
 public:
  explicit ReorderBuffer(uint64_t window) : window_(window) {}

  void put(uint64_t seq, Result item) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return aborted_ || seq < next_ + window_; });
    if (aborted_) return;
    items_.emplace(seq, std::move(item));
    ready_.notify_all();
  }
  // A worker's networks threw: the consumer rethrows it from take().
  void fail(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_) error_ = error;
    ready_.notify_all();
  }
  // The consumer stopped early: release the workers waiting for room.
  void abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    room_.notify_all();
  }
  bool aborted() {
    std::lock_guard<std::mutex> lock(mu_);
    return aborted_;
  }
  void set_total(uint64_t total) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ = total;
    ready_.notify_all();
  }
  // The next result in input order, waiting up to `patience`. Empty when the wait ran out,
  // or when no more will come (then *finished is set).
  std::optional<Result> take(std::chrono::milliseconds patience, bool* finished) {
    std::unique_lock<std::mutex> lock(mu_);
    auto available = [&] { return error_ || items_.count(next_) || next_ == total_; };
    if (!ready_.wait_for(lock, patience, available)) return std::nullopt;
    if (error_) std::rethrow_exception(error_);
    *finished = next_ == total_ && !items_.count(next_);
    if (*finished) return std::nullopt;
    auto node = items_.extract(next_++);
    room_.notify_all();
    return std::move(node.mapped());
  }
  uint64_t total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_ == UINT64_MAX ? 0 : total_;
  }

 private:
  uint64_t window_;
  uint64_t next_ = 0;
  uint64_t total_ = UINT64_MAX;
  bool aborted_ = false;
  std::exception_ptr error_;
  std::map<uint64_t, Result> items_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
};

// What the producer thread uses. Shared, because on Ctrl-C the producer may be blocked
// reading a list from stdin and is left behind rather than joined.
struct Pipeline {
  Pipeline(InputOptions inputs, size_t window) : source(std::move(inputs)), tasks(window), ready(window) {}
  InputSource source;
  BoundedQueue<Task> tasks;
  ReorderBuffer ready;
};

std::string format_for(const BatchOptions& opts) {
  if (!opts.format.empty()) return opts.format;
  const std::string ext = std::filesystem::path(opts.output).extension().string();
  for (const auto& name : format_names()) {
    if (ext == "." + name) return name;
  }
  if (!opts.output.empty()) return "jsonl";
  return ::isatty(STDOUT_FILENO) ? "text" : "jsonl";
}

Prepared prepare(const Task& task, const Recognizer& recognizer) {
  if (task.input.error) return Prepared::failed(task.input.path, *task.input.error);
  return recognizer.prepare(task.input.path);
}

// One worker per core, each decoding, detecting and classifying its own photos on one libtorch
// thread: two photos at once on 2 cores beat one photo on two threads with a separate decoder,
// which left a core idle in every serial stretch around the forward passes (bench/batch_sweep.sh,
// docs/performance.md).
int default_workers() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

// A worker's share: the next task, waiting for it, then what else is queued, up to batch_size,
// so the classifier runs on several photos' crops at once when inputs come faster than it.
std::vector<Task> next_tasks(BoundedQueue<Task>& tasks, int batch_size) {
  std::vector<Task> out;
  auto first = tasks.pop();
  if (!first) return out;
  out.push_back(std::move(*first));
  while (static_cast<int>(out.size()) < batch_size) {
    auto more = tasks.try_pop();
    if (!more) break;
    out.push_back(std::move(*more));
  }
  return out;
}

void recognize_tasks(Pipeline& pipe, Model& classifier, Detector* detector, const RecognizeOptions& opts,
                     int batch_size) {
  // A Recognizer holds only options and references to the shared networks, whose forward
  // passes are safe to run from several threads.
  Recognizer recognizer(classifier, detector, opts);
  try {
    // The queue still drains after close(); a stopped consumer must not wait for that work.
    while (!pipe.ready.aborted()) {
      const std::vector<Task> tasks = next_tasks(pipe.tasks, batch_size);
      if (tasks.empty()) break;
      std::vector<Prepared> group;
      for (const Task& t : tasks) group.push_back(prepare(t, recognizer));
      std::vector<Result> results = recognizer.finish(group);
      for (size_t i = 0; i < tasks.size(); ++i) pipe.ready.put(tasks[i].seq, std::move(results[i]));
    }
  } catch (...) {
    pipe.ready.fail(std::current_exception());
  }
}

}  // namespace

int run_batch(const BatchOptions& opts) {
  const Format format = parse_format(format_for(opts));
  if (opts.inputs.paths.empty() && opts.inputs.files_from.empty()) {
    throw UsageError("no inputs (give files, directories, - for a list on stdin, or --files-from FILE)");
  }
  const int batch_size = opts.batch_size > 0 ? opts.batch_size : kDefaultBatchSize;
  const int workers = opts.workers > 0 ? opts.workers : default_workers();
  prepare_workers(opts.model, workers);
  const size_t window = static_cast<size_t>(batch_size) * 4 * workers;
  auto pipe = std::make_shared<Pipeline>(opts.inputs, window);
  Networks networks = load_networks(opts.model);

  std::unique_ptr<AtomicFile> file;
  if (!opts.output.empty()) {
    file = std::make_unique<AtomicFile>(opts.output);
    interrupt::set_partial_output(file->temp_path());
  }

  auto writer = make_writer(format, file ? file->stream() : stdout, file ? opts.output : "<stdout>", {true});
  std::thread producer([pipe] {
    uint64_t seq = 0;
    InputItem in;
    try {
      while (!interrupt::requested() && pipe->source.next(&in)) {
        if (!pipe->tasks.push({seq, in})) break;
        ++seq;
      }
    } catch (const std::exception& e) {
      // An unreadable input is reported as one failed record rather than cutting the run short.
      pipe->tasks.push({seq++, {in.path, std::string(e.what())}});
    }
    pipe->ready.set_total(seq);
    pipe->tasks.close();
  });
  std::vector<std::thread> pool;
  for (int i = 0; i < workers; ++i) {
    pool.emplace_back(recognize_tasks, std::ref(*pipe), std::ref(networks.classifier), networks.detector_or_null(),
                      std::cref(opts.recognize), batch_size);
  }

  Progress progress(stderr, !opts.quiet && ::isatty(STDERR_FILENO));
  Stopwatch clock;
  uint64_t done = 0, failed = 0;
  bool complete = false;
  const auto shutdown = [&] {
    pipe->tasks.close();
    pipe->ready.abort();
    for (auto& t : pool) t.join();
    if (complete) {
      producer.join();
    } else {
      producer.detach();  // may be blocked reading stdin; it owns a share of the pipeline
    }
  };
  try {
    writer->begin();
    bool finished = false;
    while (!finished && !interrupt::requested()) {
      // Woken every 100 ms, so that Ctrl-C is noticed while a slow input is being read.
      auto r = pipe->ready.take(std::chrono::milliseconds(100), &finished);
      if (!r) continue;
      if (r->error) {
        ++failed;
        if (!opts.quiet) {
          progress.clear();
          fmt::print(stderr, "whatcar: {}: {}\n", r->path, *r->error);
        }
      }
      writer->write(*r);
      ++done;
      progress.update(done, pipe->ready.total());
    }
    progress.clear();
    if (interrupt::requested()) {
      shutdown();
      file.reset();  // removes the partial output
      interrupt::set_partial_output("");
      if (!opts.quiet) {
        fmt::print(stderr, "whatcar: batch: interrupted after {} files{}\n", done,
                   opts.output.empty() ? "" : fmt::format("; {} not written", opts.output));
      }
      return interrupt::exit_status();
    }
    writer->end();
    if (file) file->commit();
    complete = true;
  } catch (...) {
    progress.clear();
    shutdown();
    interrupt::set_partial_output("");
    throw;
  }
  shutdown();
  interrupt::set_partial_output("");
  const double seconds = clock.total_ms() / 1000;
  if (!opts.quiet) {
    fmt::print(stderr, "whatcar: batch: {} files, {} classified, {} failed, {:.1f} images/s ({:.1f} s)\n", done,
               done - failed, failed, seconds > 0 ? (done - failed) / seconds : 0.0, seconds);
  }
  return failed ? kExitSomeFailed : kExitOk;
}

}  // namespace whatcar
