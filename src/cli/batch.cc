#include "cli/batch.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

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

// Items arrive from the workers in any order and leave in input order. A worker may only
// deposit an item within `window` of the next one to leave, which bounds memory; the next
// item itself is always admitted, so the pipeline cannot deadlock.
class ReorderBuffer {
 public:
  explicit ReorderBuffer(uint64_t window) : window_(window) {}

  void put(uint64_t seq, Prepared item) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return aborted_ || seq < next_ + window_; });
    if (aborted_) return;
    items_.emplace(seq, std::move(item));
    ready_.notify_all();
  }
  // The consumer stopped early: release the workers waiting for room.
  void abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    room_.notify_all();
  }
  void set_total(uint64_t total) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ = total;
    ready_.notify_all();
  }
  // The next item in input order, waiting up to `patience`. Empty when the wait ran out,
  // or when no more will come (then *finished is set).
  std::optional<Prepared> take(std::chrono::milliseconds patience, bool* finished) {
    std::unique_lock<std::mutex> lock(mu_);
    auto available = [&] { return items_.count(next_) || next_ == total_; };
    if (!ready_.wait_for(lock, patience, available)) return std::nullopt;
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
  std::map<uint64_t, Prepared> items_;
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

int default_workers() {
  // Inference is most of the work: on 2 cores a second decoder gave nothing (bench/batch_sweep.sh,
  // docs/performance.md), so one decoder per two cores keeps libtorch fed without taking its cores.
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
}

}  // namespace

int run_batch(const BatchOptions& opts) {
  const Format format = parse_format(format_for(opts));
  if (opts.inputs.paths.empty() && opts.inputs.files_from.empty()) {
    throw UsageError("no inputs (give files, directories, - for a list on stdin, or --files-from FILE)");
  }
  const int batch_size = opts.batch_size > 0 ? opts.batch_size : kDefaultBatchSize;
  const int workers = opts.workers > 0 ? opts.workers : default_workers();
  set_torch_threads(opts.model.threads);
  const size_t window = static_cast<size_t>(batch_size) * 4 + workers;
  auto pipe = std::make_shared<Pipeline>(opts.inputs, window);
  Networks networks = load_networks(opts.model);
  Recognizer recognizer(networks.classifier, networks.detector_or_null(), opts.recognize);

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
    pool.emplace_back([&pipe = *pipe, &recognizer] {
      while (auto task = pipe.tasks.pop()) pipe.ready.put(task->seq, prepare(*task, recognizer));
    });
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
      std::vector<Prepared> group;
      // Block for the first item; then take what arrives soon, so a slow trickle of inputs
      // is still answered promptly.
      while (static_cast<int>(group.size()) < batch_size && !finished && !interrupt::requested()) {
        auto item = pipe->ready.take(std::chrono::milliseconds(group.empty() ? 100 : 50), &finished);
        if (item) {
          group.push_back(std::move(*item));
        } else if (!group.empty()) {
          break;
        }
      }
      for (const Result& r : recognizer.finish(group)) {
        if (r.error) {
          ++failed;
          if (!opts.quiet) {
            progress.clear();
            fmt::print(stderr, "whatcar: {}: {}\n", r.path, *r.error);
          }
        }
        writer->write(r);
        ++done;
      }
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
