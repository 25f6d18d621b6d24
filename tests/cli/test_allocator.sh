#!/usr/bin/env bash
# The allocator the build chose (WHATCAR_MIMALLOC, docs/startup.md) is the one libtorch's
# allocations go to, tensors (posix_memalign) included, by the loader's own account, and
# whatcar still works with it; and, with mimalloc, that the tensors get their arena.
source "$(dirname "$0")/lib.sh"
: "${WHATCAR_ALLOCATOR:?set WHATCAR_ALLOCATOR (CTest does) to the library malloc should bind to}"

LD_DEBUG=bindings LD_DEBUG_OUTPUT="$WORK/bindings" run -m "$MODEL" --no-detect -k 2 -f csv "$IMG/scene.png"
expect_rc 0
expect_out "file,car,x1,"
expect_err_empty
for user in libtorch_cpu.so libc10.so; do
  for sym in malloc free posix_memalign; do
    check
    to=$(cat "$WORK"/bindings.* | grep -F "binding file " | grep -F "/$user" | grep -F "symbol \`$sym'" |
      sed -n 's/.* to \([^ ]*\) .*/\1/p' | sort -u)
    [[ "$(basename "${to:-none}")" == "$WHATCAR_ALLOCATOR"* ]] ||
      fail "$user's $sym binds to ${to:-nothing}, not $WHATCAR_ALLOCATOR"
  done
done

# With mimalloc, each forward pass that may run at once gets 256 MiB reserved as an arena, so
# that the detector's 16 MiB activations are reused instead of mapped and faulted in per photo
# (docs/performance.md); mimalloc reports the reservation when verbose.
if [ "$WHATCAR_ALLOCATOR" = libmimalloc.so ]; then
  MIMALLOC_VERBOSE=1 run -m "$MODEL" --no-detect -f csv "$IMG/scene.png"
  expect_rc 0
  expect_err "reserved 262144 KiB memory"
  printf '%s\n' "$IMG/scene.png" "$IMG/portrait.png" >"$WORK/list"
  MIMALLOC_VERBOSE=1 run batch -m "$MODEL" --no-detect -j 3 --files-from "$WORK/list"
  expect_rc 0
  expect_err "reserved 786432 KiB memory"
fi
finish
