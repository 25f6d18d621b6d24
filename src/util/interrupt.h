// SIGINT and SIGTERM end whatcar within a second, whatever a thread is blocked on.
//
// The handler only records the signal and makes wake_fd() readable, so blocking reads that
// poll it (image/read_input) give up at once and the commands wind down in order. Work that
// cannot be woken (a forward pass, a read from a hung network file system) is cut short by a
// watchdog: a grace period (0.7 s unless a command sets another) after the signal it removes the registered partial output and leaves with
// exit_status(). A second signal is never needed.
#pragma once

#include <chrono>
#include <string>

namespace whatcar::interrupt {

// Installs the handlers and starts the watchdog; once, before any thread is started.
void install();

bool requested();

// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM); 0 before any signal.
int exit_status();

// Readable from the moment a signal arrives; never drained. -1 before install().
int wake_fd();

// The file the watchdog removes if it has to end the process (a partial output); "" for none.
void set_partial_output(const std::string& path);

// How long the watchdog waits after a signal before it ends the process (0.7 s by default):
// `serve` gives the requests in flight this long to finish.
void set_grace(std::chrono::milliseconds grace);

}  // namespace whatcar::interrupt
