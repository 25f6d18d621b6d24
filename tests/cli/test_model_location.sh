#!/usr/bin/env bash
# The bundled models are found without flags: $WHATCAR_MODEL / $WHATCAR_DETECTOR, next to the
# executable, then ../share/whatcar/models; --model / --detector beat them all. Also --version
# and --help.
source "$(dirname "$0")/lib.sh"

# A relocatable tree: bin/whatcar + share/whatcar/models/whatcar-cars.pt, moved after "install".
mkdir -p "$WORK/tree/bin" "$WORK/tree/share/whatcar/models"
cp "$WHATCAR" "$WORK/tree/bin/whatcar"
cp "$MODEL" "$WORK/tree/share/whatcar/models/whatcar-cars.pt"
cp "$DETECTOR" "$WORK/tree/share/whatcar/models/whatcar-detector.pt"
mv "$WORK/tree" "$WORK/moved"
(cd / && "$WORK/moved/bin/whatcar" -k 1 "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err")
RC=$?; OUT=$(cat "$WORK/out"); ERR=$(cat "$WORK/err")
expect_rc 0
expect_out "Delta Café 2011"
expect_out "car 1 at ["  # the fixture detector found the scene's bright patch

# Through a symlink to the binary: the real path decides.
ln -s "$WORK/moved/bin/whatcar" "$WORK/link"
"$WORK/link" -k 1 "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err"
RC=$?; OUT=$(cat "$WORK/out")
expect_rc 0

# models/ next to the executable wins over share/.
mkdir -p "$WORK/moved/bin/models"
head -c 100 "$MODEL" >"$WORK/moved/bin/models/whatcar-cars.pt"
"$WORK/moved/bin/whatcar" "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err"
RC=$?; ERR=$(cat "$WORK/err")
expect_rc 2
expect_err "$WORK/moved/bin/models/whatcar-cars.pt: not a loadable TorchScript model"

# WHATCAR_MODEL overrides the search; --model overrides WHATCAR_MODEL.
WHATCAR_MODEL="$MODEL" "$WORK/moved/bin/whatcar" -k 1 "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc 0
WHATCAR_MODEL="$WORK/nothing.pt" run -k 1 "$IMG/scene.png"
expect_rc 2
expect_err "$WORK/nothing.pt: model file not found"
WHATCAR_MODEL="$WORK/nothing.pt" run -m "$MODEL" --no-detect -k 1 "$IMG/scene.png"
expect_rc 0

# The same for the detector (the classifier from $WHATCAR_MODEL: bin/models/ holds the broken
# one planted above). A broken detector next to the executable is found first, and
# --no-detect does without it.
head -c 100 "$DETECTOR" >"$WORK/moved/bin/models/whatcar-detector.pt"
WHATCAR_MODEL="$MODEL" "$WORK/moved/bin/whatcar" -k 1 "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err"
RC=$?; ERR=$(cat "$WORK/err")
expect_rc 2
expect_err "$WORK/moved/bin/models/whatcar-detector.pt: not a loadable TorchScript model"
WHATCAR_MODEL="$MODEL" "$WORK/moved/bin/whatcar" --no-detect -k 1 "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc 0
cp "$DETECTOR" "$WORK/moved/bin/models/whatcar-detector.pt"
WHATCAR_MODEL="$MODEL" "$WORK/moved/bin/whatcar" -k 1 "$IMG/scene.png" >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc 0
WHATCAR_DETECTOR="$WORK/nothing.pt" run -m "$MODEL" -k 1 "$IMG/scene.png"
expect_rc 2
expect_err "$WORK/nothing.pt: model file not found"
WHATCAR_DETECTOR="$WORK/nothing.pt" run -m "$MODEL" --detector "$DETECTOR" -k 1 "$IMG/scene.png"
expect_rc 0

# --version names whatcar, libtorch and the models with their sha256.
WHATCAR_DETECTOR="$DETECTOR" WHATCAR_MODEL="$MODEL" run --version
expect_rc 0
expect_out "whatcar 0."
expect_out "libtorch 1.13"
expect_out "model tiny-test-model 1"
expect_out "model sha256 $(sha256sum "$MODEL" | cut -d' ' -f1)"
expect_out "detector tiny-detector 1"
expect_out "detector sha256 $(sha256sum "$DETECTOR" | cut -d' ' -f1)"
WHATCAR_MODEL="$WORK/nothing.pt" run --version
expect_rc 0
expect_out "model file not found"

# --help documents the commands and the exit codes.
run --help
expect_rc 0
expect_out "classify"
expect_out "Exit status: 0"
run classify --help
expect_rc 0
expect_out "--top"
expect_out "--format"

finish
