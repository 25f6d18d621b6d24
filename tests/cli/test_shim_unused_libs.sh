#!/usr/bin/env bash
# cmake/shim_unused_libs.sh: first on a made-up library tree where the right answer is known,
# then on the real binary (every symbol still resolves with LD_BIND_NOW, the shims are what
# the loader opens, and the model runs).
source "$(dirname "$0")/lib.sh"
SCRIPT="$SOURCE_DIR/cmake/shim_unused_libs.sh"
CXX=${CXX:-c++}

# exe -> libmid -> libused (used() called), libunused (nothing taken; pulls libdeep),
#                  libver (only a weak reference to vfunc@VER_1, so nothing taken either).
t="$WORK/tree"
mkdir -p "$t/lib"
lib() {  # lib NAME SOURCE [LINK ARGS...]
  local name=$1 src=$2
  shift 2
  echo "$src" | "$CXX" -shared -fPIC -x c++ - -o "$t/lib/$name" -Wl,-soname,"$name" -L"$t/lib" "$@"
}
lib libdeep.so 'extern "C" int deep() { return 1; }'
lib libused.so 'extern "C" int used() { return 42; }'
lib libunused.so 'extern "C" int deep(); extern "C" int unused() { return deep(); }' -Wl,--no-as-needed -l:libdeep.so
echo 'VER_1 { global: vfunc; local: *; };' >"$t/ver.map"
lib libver.so 'extern "C" int vfunc() { return 7; }' -Wl,--version-script="$t/ver.map"
lib libmid.so 'extern "C" int used(); extern "C" __attribute__((weak)) int vfunc();
extern "C" int mid() { return used() + (vfunc ? 1000 : 0); }' \
  -Wl,--no-as-needed -l:libused.so -l:libunused.so -l:libver.so
echo 'extern "C" int mid(); int main() { return mid() == 42 ? 0 : 1; }' |
  "$CXX" -x c++ - -o "$t/exe" -L"$t/lib" -Wl,-rpath-link,"$t/lib" -Wl,--no-as-needed -l:libmid.so \
    -Wl,--disable-new-dtags -Wl,-rpath,'$ORIGIN/shims:$ORIGIN/lib'

run_script() { bash "$SCRIPT" "$@" >"$WORK/out" 2>"$WORK/err"; RC=$?; OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err"); }
run_script "$t/exe" "$t/shims" "$CXX"
expect_rc 0
expect_out "shim_unused_libs: 2 of "
check
[ "$(cut -d' ' -f1 "$t/shims/SHIMS" | tr '\n' ' ')" = "libunused.so libver.so " ] ||
  fail "expected libunused.so and libver.so shimmed, got: $(cat "$t/shims/SHIMS")"
check
grep -q "^libunused.so $t/lib/libunused.so$" "$t/shims/SHIMS" || fail "SHIMS does not name the real library"
# The shim keeps the version node libmid requires; without it the loader refuses to start.
check
readelf -V "$t/shims/libver.so" | grep -q 'Name: VER_1' || fail "libver.so shim lacks version node VER_1"
"$t/exe" 2>"$WORK/err"
RC=$?
expect_rc 0
expect_err_empty
check
ldd "$t/exe" | grep -q "libdeep.so" && fail "libdeep.so is still loaded behind the libunused.so shim"
check
[ "$(ldd "$t/exe" | awk '$1 == "libunused.so" { print $3 }')" = "$t/shims/libunused.so" ] ||
  fail "the loader does not pick the shim for libunused.so"
# Nothing unused: nothing shimmed.
echo 'int main() { return 0; }' | "$CXX" -x c++ - -o "$t/plain"
run_script "$t/plain" "$t/plain_shims" "$CXX"
expect_rc 0
expect_out "shim_unused_libs: 0 of "
run_script "$t/exe"
expect_rc 2
expect_err "usage:"

# The real binary, where the build made shims (WHATCAR_SHIM_UNUSED_LIBS, the default).
shims="$(cd "$(dirname "$WHATCAR")" && pwd -P)/shims"
if [ -f "$shims/SHIMS" ]; then
  check
  [ "$(wc -l <"$shims/SHIMS")" -gt 0 ] || fail "no library shimmed for whatcar"
  loaded=$(ldd "$WHATCAR")
  while read -r name real; do
    check
    [ "$(awk -v n="$name" '$1 == n { print $3 }' <<<"$loaded")" = "$shims/$name" ] ||
      fail "$name is not loaded from $shims (stands in for $real)"
  done <"$shims/SHIMS"
  check
  full=$(ldd "$(awk '$1 ~ /^libtorch_cpu/ { print $3 }' <<<"$loaded")" | wc -l)
  [ "$(wc -l <<<"$loaded")" -lt "$full" ] || fail "whatcar loads no fewer libraries than libtorch_cpu alone ($full)"
  # Every symbol of every object resolves at start, not only those used by this run.
  OUT=$(LD_BIND_NOW=1 "$WHATCAR" --version 2>"$WORK/err")
  RC=$?
  ERR=$(cat "$WORK/err")
  expect_rc 0
  expect_err_empty
  LD_BIND_NOW=1 run -m "$MODEL" --no-detect -k 2 -f csv "$IMG/scene.png"
  expect_rc 0
  expect_out "file,car,x1,"
  expect_err_empty
fi
finish
