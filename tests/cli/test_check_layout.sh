#!/usr/bin/env bash
# scripts/check_layout: passes on the source tree, and fails on an include against the layer
# order and on a file outside the layer folders (run on a copy with one planted each).
. "$(dirname "$0")/lib.sh"

layout() {
  bash "$1/scripts/check_layout" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

layout "$SOURCE_DIR"
expect_rc 0
expect_out "every include in src/ follows"

copy() {
  rm -rf "$WORK/tree"
  mkdir -p "$WORK/tree/scripts"
  cp "$SOURCE_DIR/scripts/check_layout" "$WORK/tree/scripts/"
  cp -r "$SOURCE_DIR/src" "$WORK/tree/src"
}

copy
sed -i 's|#include "util/error.h"|#include "cli/batch.h"|' "$WORK/tree/src/image/image.cc"
layout "$WORK/tree"
expect_rc 1
expect_out 'src/image/image.cc:'
expect_out 'image/ may not include "cli/batch.h"'

copy
echo '#include "pipeline/result.h"' >"$WORK/tree/src/loose.cc"
layout "$WORK/tree"
expect_rc 1
expect_out "src/loose.cc: not in a layer folder"

finish
