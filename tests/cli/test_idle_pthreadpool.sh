#!/usr/bin/env bash
# libtorch's pthreadpool is created through whatcar's pthreadpool_create
# (src/model/idle_pthreadpool.cc), by the loader's own account, so that its workers never
# spin beside the forward passes; and whatcar, which sets its threads on every run, still works.
source "$(dirname "$0")/lib.sh"

for threads in 1 2; do
  LD_DEBUG=bindings LD_DEBUG_OUTPUT="$WORK/bindings$threads" run -m "$MODEL" --no-detect -t "$threads" -f csv "$IMG/scene.png"
  expect_rc 0
  expect_out "file,car,x1,"
  check
  to=$(cat "$WORK"/bindings"$threads".* | grep -F "binding file " | grep -F "/libtorch_cpu.so" |
    grep -F "symbol \`pthreadpool_create'" | sed -n 's/.* to \([^ ]*\) .*/\1/p' | sort -u)
  [ "$(basename "${to:-none}")" = "$(basename "$WHATCAR")" ] || fail "libtorch_cpu's pthreadpool_create binds to ${to:-nothing}, not $WHATCAR"
done
finish
