#!/usr/bin/env bash
# Makes an empty stand-in ("shim") for every shared library in EXE's load closure that no
# loaded object takes a symbol from, and writes them to OUTDIR. EXE carries OUTDIR in its
# DT_RPATH, which the dynamic loader searches for the dependencies of every library EXE pulls
# in, so the shim is loaded instead of the real library and the real one's own dependency tree
# is never opened.
#
# Why: Debian's libtorch_cpu lists 46 libraries as NEEDED; 24 of them (OpenCV, FFmpeg,
# LevelDB, LMDB, ZeroMQ...) give it not one symbol, yet they drag ~230 more libraries into
# every process: 288 objects. Without them `whatcar --help` takes 0.59 of the time
# (bench/startup.sh; docs/startup.md).
#
# Safe by construction: a library is shimmed only when none of its defined symbols is
# imported (non-weak undefined, name match, any version) by the executable or by any real
# library still loaded. That check repeats until nothing changes, because shimming one library
# can leave its dependencies unused too. The C library family, libstdc++, libgcc_s and EXE's
# own NEEDED entries are never shimmed. A shim keeps the version nodes the loaded objects
# require of it, so the loader does not warn. Libraries that a MODULE EXE dlopen()s later needs
# (libwhatcar-formats.so: libtiff needs libzstd) are never shimmed either: the loader would
# hand the module the already loaded, empty shim.
#   cmake/shim_unused_libs.sh EXE OUTDIR CXX [MODULE...]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 EXE OUTDIR CXX [MODULE...]" >&2; exit 2; }
exe=$1 out=$2 cxx=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# With OUTDIR emptied, ldd resolves everything to the real libraries.
rm -rf "$out"
mkdir -p "$out"
ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' >"$tmp/paths"
[ -s "$tmp/paths" ] || { echo "shim_unused_libs: ldd found no libraries for $exe" >&2; exit 1; }

# One record stream: N obj needed / U obj symbol / D obj symbol / V obj file version.
describe() {  # describe NAME PATH
  readelf -d -W "$2" | awk -v o="$1" '/\(NEEDED\)/ { gsub(/[][]/, "", $NF); print "N", o, $NF }'
  nm -D --undefined-only --format=posix "$2" 2>/dev/null |
    awk -v o="$1" '$2 == "U" { sub(/@.*/, "", $1); print "U", o, $1 }'
  nm -D --defined-only --format=posix "$2" 2>/dev/null |
    awk -v o="$1" '{ sub(/@.*/, "", $1); print "D", o, $1 }'
  readelf -V -W "$2" | awk -v o="$1" '
    /^Version needs section/ { inneed = 1; next }
    /^Version (symbols|definition) section/ { inneed = 0 }
    inneed && /File:/ { for (i = 1; i <= NF; i++) if ($i == "File:") file = $(i + 1) }
    inneed && /Name:/ { for (i = 1; i <= NF; i++) if ($i == "Name:") print "V", o, file, $(i + 1) }'
}
describe EXE "$exe" >"$tmp/records"
for module in "$@"; do ldd "$module" | awk '$2 == "=>" { print "K", $1 }' >>"$tmp/records"; done
while read -r name path; do describe "$name" "$path" >>"$tmp/records"; done <"$tmp/paths"

# Imports are read before definitions so only imported symbols' definers are kept in memory.
{ grep '^[KNUV] ' "$tmp/records"; grep '^D ' "$tmp/records"; } | awk '
  function never_shim(lib) {
    return lib ~ /^(libc|libm|libdl|libpthread|librt|libutil|libresolv|libanl|libmvec)\.so/ ||
           lib ~ /^ld-linux/ || lib ~ /^libstdc\+\+\.so/ || lib ~ /^libgcc_s\.so/ || direct[lib] || keep[lib]
  }
  $1 == "K" { keep[$2] = 1; next }
  $1 == "N" { needed[$2] = needed[$2] " " $3; if ($2 == "EXE") direct[$3] = 1; next }
  $1 == "U" { imports[$2, $3] = 1; imported[$3] = 1; next }
  $1 == "V" { if (!(($3, $4) in seenv)) { seenv[$3, $4] = 1; version[$3] = version[$3] " " $4 }; next }
  $1 == "D" && ($3 in imported) { definers[$3] = definers[$3] " " $2; next }
  END {
    do {
      # The objects the loader would open, shims standing in for what is shimmed so far.
      delete loaded; loaded["EXE"] = 1; queue[1] = "EXE"; head = 1; tail = 1
      while (head <= tail) {
        obj = queue[head++]
        if (obj in shim) continue
        n = split(needed[obj], deps, " ")
        for (i = 1; i <= n; i++) if (!(deps[i] in loaded)) { loaded[deps[i]] = 1; queue[++tail] = deps[i] }
      }
      delete used
      for (key in imports) {
        split(key, parts, SUBSEP)
        if (!(parts[1] in loaded) || parts[1] in shim) continue
        n = split(definers[parts[2]], libs, " ")
        for (i = 1; i <= n; i++) used[libs[i]] = 1
      }
      changed = 0
      for (lib in loaded)
        if (lib != "EXE" && !(lib in shim) && !(lib in used) && !never_shim(lib)) { shim[lib] = 1; changed = 1 }
    } while (changed)
    for (lib in shim) if (lib in loaded) print lib version[lib]
  }' | sort >"$tmp/shims"

while read -r lib versions; do
  : >"$tmp/version.map"
  for v in $versions; do echo "$v { };" >>"$tmp/version.map"; done
  map=()
  [ -s "$tmp/version.map" ] && map=(-Wl,--version-script="$tmp/version.map")
  "$cxx" -shared -nostdlib -x c++ /dev/null -o "$out/$lib" -Wl,-soname,"$lib" "${map[@]}"
done <"$tmp/shims"

# The list, with what each shim stands in for: read by tests/cli/test_startup.sh and by people.
awk 'NR == FNR { real[$1] = $2; next } { print $1, real[$1] }' "$tmp/paths" "$tmp/shims" >"$out/SHIMS"
echo "shim_unused_libs: $(wc -l <"$out/SHIMS") of $(wc -l <"$tmp/paths") libraries replaced by empty shims in $out"
