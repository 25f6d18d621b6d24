#include "util/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <thread>

namespace whatcar::interrupt {
namespace {

// Long enough for batch to stop its workers and report; short enough to end within a second.
std::atomic<std::chrono::milliseconds::rep> g_grace_ms{700};

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};
std::mutex g_mu;
std::string g_partial;

extern "C" void on_signal(int sig) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, sig)) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);
  }
}

void watchdog() {
  pollfd p{g_pipe[0], POLLIN, 0};
  while (::poll(&p, 1, -1) < 0) {
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(g_grace_ms.load()));
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (!g_partial.empty()) ::unlink(g_partial.c_str());
  }
  std::fputs("whatcar: interrupted\n", stderr);
  ::_exit(exit_status());
}

}  // namespace

void install() {
  if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;  // no pipe, no prompt interruption: the defaults stay
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::thread(watchdog).detach();
}

bool requested() { return g_signal.load() != 0; }

int exit_status() {
  const int sig = g_signal.load();
  return sig ? 128 + sig : 0;
}

int wake_fd() { return g_pipe[0]; }

void set_grace(std::chrono::milliseconds grace) { g_grace_ms.store(grace.count()); }

void set_partial_output(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_partial = path;
}

}  // namespace whatcar::interrupt
