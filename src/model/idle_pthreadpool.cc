// libtorch creates caffe2's pthreadpool at every at::set_num_threads, sized to that count, for
// QNNPACK and XNNPACK operators, which neither network contains. Its workers busy-wait for work
// before they sleep, on the cores the forward passes need: on a 2-core machine that took about
// 100 ms of CPU (perf: 3 workers at ~35 ms each) from a cold `whatcar photo.jpg`, during its
// first forward passes (docs/startup.md, section 10). Asked for one thread, the pool starts no
// workers and would run any work on its caller.
//
// Linked into the executable itself, not into whatcar_core: the loader then binds libtorch's
// call to this definition before libpthreadpool's own (tests/cli/test_idle_pthreadpool.sh checks it).
#include <dlfcn.h>

#include <cstddef>

extern "C" void* pthreadpool_create(size_t /*threads*/) {
  using Create = void* (*)(size_t);
  static const auto real = reinterpret_cast<Create>(dlsym(RTLD_NEXT, "pthreadpool_create"));
  return real != nullptr ? real(1) : nullptr;
}
