#!/usr/bin/env bash
# whatcar verify: passes on a good model; each way a model can go wrong fails with a reason.
# The broken variants are made here from the tiny fixture model.
source "$(dirname "$0")/lib.sh"

# zip_edit SRC DST ENTRY_SUFFIX PYTHON: rewrite one entry of the TorchScript zip. PYTHON is
# None (drop the entry), RENAME:NAME (move it to NAME in the same folder), or statements that
# change `m`, the entry parsed as JSON.
zip_edit() {
  "$PY" - "$@" <<'PYEOF'
import json, sys, zipfile
src, dst, suffix, code = sys.argv[1:5]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
    for info in zin.infolist():
        data, name = zin.read(info), info.filename
        if name.endswith(suffix):
            if code == "None":
                continue
            if code.startswith("RENAME:"):
                name = name.rsplit("/", 1)[0] + "/" + code[len("RENAME:"):]
            else:
                m = json.loads(data)
                exec(code, {"m": m})
                data = json.dumps(m).encode()
        zout.writestr(name, data)
PYEOF
}
# with_sums FILE: write SHA256SUMS beside FILE listing its real digest (isolates the other checks).
with_sums() { (cd "$(dirname "$1")" && sha256sum "$(basename "$1")" >SHA256SUMS); }

run verify -m "$MODEL" --no-detect
expect_rc 0
expect_out "PASS  integrity"
expect_out "PASS  contract"
expect_out "PASS  reproducibility"
expect_out "SKIP  golden"
expect_out "INFO  environment"
expect_out "verify: 3 passed, 0 failed"

run verify -m "$MODEL" --no-detect -f json
expect_rc 0
expect_py 'import json,sys; d=json.load(open(sys.argv[1])); assert d["failed"]==0 and [c["name"] for c in d["checks"]]==["integrity","contract","reproducibility","real images","golden","environment"]'

# Real-image probes: the stored top-5 of photos, checked when their folder is given.
run verify -m "$MODEL" --no-detect --images "$IMG"
expect_rc 0
expect_out "PASS  real images        2 photos in $IMG: top-5 identical to the exporter's"
run verify -m "$MODEL" --no-detect --images "$WORK"
expect_rc 1
expect_out "FAIL  real images        $WORK/scene.png: No such file or directory"
run verify -m "$MODEL" --no-detect --images "$WORK/none"
expect_rc 2
expect_err "--images folder not found"
mkdir -p "$WORK/ranks"
zip_edit "$MODEL" "$WORK/ranks/tiny_model.pt" "extra/whatcar/model.json" "t = m['image_probes'][0]['top']; t[0], t[1] = t[1], t[0]"
with_sums "$WORK/ranks/tiny_model.pt"
run verify --no-detect -m "$WORK/ranks/tiny_model.pt" --images "$IMG"
expect_rc 1
expect_out "FAIL  real images        $IMG/scene.png: top-5 3,2,4,0,1 differs from the exported 2,3,4,0,1"

# One byte flipped inside the file: integrity names both digests.
mkdir -p "$WORK/flip"
cp "$MODEL" "$FIXTURES/SHA256SUMS" "$WORK/flip/"
size=$(stat -c %s "$MODEL")
"$PY" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[int(sys.argv[2])]^=0x01; open(p,"wb").write(b)' \
  "$WORK/flip/tiny_model.pt" $((size / 2))
run verify --no-detect -m "$WORK/flip/tiny_model.pt"
expect_rc 1
expect_out "FAIL  integrity"
expect_out "differs from the expected $(cut -c1-64 "$FIXTURES/SHA256SUMS")"
expect_out "sha256 $(sha256sum "$WORK/flip/tiny_model.pt" | cut -c1-64)"

# --sha256 overrides SHA256SUMS.
run verify -m "$MODEL" --no-detect --sha256 0000000000000000000000000000000000000000000000000000000000000000
expect_rc 1
expect_out "(--sha256)"

# Truncated: not loadable.
mkdir -p "$WORK/trunc"
head -c $((size / 2)) "$MODEL" >"$WORK/trunc/tiny_model.pt"
with_sums "$WORK/trunc/tiny_model.pt"
run verify --no-detect -m "$WORK/trunc/tiny_model.pt"
expect_rc 1
expect_out "FAIL  contract           not a loadable TorchScript model"

# Metadata without labels.
mkdir -p "$WORK/nolabels"
zip_edit "$MODEL" "$WORK/nolabels/tiny_model.pt" "extra/whatcar/model.json" "del m['classes']"
with_sums "$WORK/nolabels/tiny_model.pt"
run verify --no-detect -m "$WORK/nolabels/tiny_model.pt"
expect_rc 1
expect_out "PASS  integrity"
expect_out "FAIL  contract           model metadata: whatcar/model.json lacks 'classes'"

# Labels that do not match the output width.
mkdir -p "$WORK/extralabel"
zip_edit "$MODEL" "$WORK/extralabel/tiny_model.pt" "extra/whatcar/model.json" \
  "m['classes'].append({'label': 'Zeta 2020', 'make': 'Zeta', 'model': '', 'body': '', 'year': '2020'})"
with_sums "$WORK/extralabel/tiny_model.pt"
run verify --no-detect -m "$WORK/extralabel/tiny_model.pt"
expect_rc 1
expect_out "FAIL  contract           model metadata: probe 1 'logits' needs 6 numbers"
# ... and without probes to give it away, the forward pass does.
zip_edit "$WORK/extralabel/tiny_model.pt" "$WORK/extralabel/noprobes.pt" "extra/whatcar/model.json" \
  "del m['probes'], m['image_probes'], m['precisions']"
run verify --no-detect -m "$WORK/extralabel/noprobes.pt" --sha256 "$(sha256sum "$WORK/extralabel/noprobes.pt" | cut -c1-64)"
expect_rc 1
expect_out "FAIL  contract           model output has shape 1x5 but the model carries 6 labels"
run -m "$WORK/extralabel/noprobes.pt" --no-detect "$IMG/scene.png"  # classify refuses it too
expect_rc 2
expect_err "whatcar: $WORK/extralabel/noprobes.pt: model output has shape 1x5 but the model carries 6 labels"

# Untrusted model files given to classify: one clear line each, exit 2.
"$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("readme.txt", "hello")' "$WORK/plain.zip"
zip_edit "$MODEL" "$WORK/foreign.pt" "extra/whatcar/model.json" "None"  # TorchScript, but not whatcar's
# A model of the format before JSON metadata.
zip_edit "$MODEL" "$WORK/legacy.pt" "extra/whatcar/model.json" "RENAME:model.txt"
# What torch.jit.save writes: TorchScript source without the lite interpreter's bytecode.
zip_edit "$MODEL" "$WORK/nobytecode.pt" "/bytecode.pkl" "None"
# libtorch takes "PTMF" at offset 4 for its flatbuffer format, even after a zip header, and
# crashed on these files before whatcar stopped handing it anything but a zip archive.
printf 'xxxxPTMF%01000d' 0 >"$WORK/flatbuffer.ptl"
printf 'PK\003\004PTMF%01000d' 0 >"$WORK/zip_flatbuffer.ptl"
# One byte of the bytecode damaged in place, as a bad disk or download would (the CRC-32 no longer matches).
"$PY" - "$MODEL" "$WORK/damaged.pt" <<'PYEOF'
import struct, sys, zipfile
data = bytearray(open(sys.argv[1], "rb").read())
info = next(i for i in zipfile.ZipFile(sys.argv[1]).infolist() if i.filename.endswith("/bytecode.pkl"))
name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
data[info.header_offset + 30 + name_len + extra_len + 3] ^= 0x20
open(sys.argv[2], "wb").write(data)
PYEOF
for bad in "$WORK/plain.zip:not a loadable TorchScript model" "$WORK/foreign.pt:not a whatcar model: no whatcar/model.json inside" \
  "$WORK/legacy.pt:metadata in the old text format (whatcar/model.txt); convert it with training/export.py --upgrade" \
  "$WORK/nobytecode.pt:not a loadable TorchScript model: TorchScript without bytecode for libtorch's lite interpreter (save it with training/export.py)" \
  "$WORK/flatbuffer.ptl:not a loadable TorchScript model: not a zip archive" \
  "$WORK/zip_flatbuffer.ptl:not a loadable TorchScript model: not a zip archive" \
  "$WORK/damaged.pt:not a loadable TorchScript model: record tiny_model/bytecode.pkl fails its CRC-32 check (damaged file)"; do
  run -m "${bad%%:*}" "$IMG/scene.png"
  expect_rc 2
  expect_err_lines 1
  expect_err "whatcar: ${bad%%:*}: ${bad#*:}"
done

# Stored expected logits altered: reproducibility fails.
mkdir -p "$WORK/logits"
zip_edit "$MODEL" "$WORK/logits/tiny_model.pt" "extra/whatcar/model.json" "m['probes'][0]['logits'][0] += 0.5"
with_sums "$WORK/logits/tiny_model.pt"
run verify --no-detect -m "$WORK/logits/tiny_model.pt"
expect_rc 1
expect_out "PASS  contract"
expect_out "FAIL  reproducibility    4 probes in fp32: max |logit difference| 5.00e-01"

# --precision bf16 checks the classifier in bf16 against the bf16 references, at their own
# tolerance; the fp32 references are not what it is held to.
run verify --no-detect -m "$MODEL" --precision bf16
expect_rc 0
expect_out "PASS  reproducibility    4 probes in bf16: max |logit difference|"
expect_out "(tolerance 3e-01)"
expect_out "SKIP  real images        the model stores no real-image probes in bf16"
mkdir -p "$WORK/bf16"
zip_edit "$MODEL" "$WORK/bf16/tiny_model.pt" "extra/whatcar/model.json" "m['precisions']['bf16']['probes'][2]['logits'][1] -= 0.5"
with_sums "$WORK/bf16/tiny_model.pt"
run verify --no-detect -m "$WORK/bf16/tiny_model.pt"
expect_rc 0
run verify --no-detect -m "$WORK/bf16/tiny_model.pt" --precision bf16
expect_rc 1
expect_out "FAIL  reproducibility    4 probes in bf16: max |logit difference| 5.0"
run verify --no-detect -m "$WORK/bf16/tiny_model.pt" --precision bf16 --tolerance 0.6
expect_rc 0
# A model exported before the bf16 references: bf16 cannot be verified, fp32 still can.
mkdir -p "$WORK/nobf16"
zip_edit "$MODEL" "$WORK/nobf16/tiny_model.pt" "extra/whatcar/model.json" "del m['precisions']"
with_sums "$WORK/nobf16/tiny_model.pt"
run verify --no-detect -m "$WORK/nobf16/tiny_model.pt" --precision bf16
expect_rc 1
expect_out "FAIL  reproducibility    the model carries no bf16 probes (whatcar/model.json)"
run verify --no-detect -m "$WORK/nobf16/tiny_model.pt"
expect_rc 0

# A golden CSV: right labels pass, a wrong one fails, --min-accuracy relaxes.
printf 'path,expected_label\n%s,Delta Café 2011\n' "$IMG/scene.png" >"$WORK/good.csv"
run verify -m "$MODEL" --no-detect --golden "$WORK/good.csv"
expect_rc 0
expect_out "PASS  golden             1/1 top-1 correct (100.0%)"
printf '%s,Delta Café 2011\n%s,Alpha Coupe 2012\n' "$IMG/scene.png" "$IMG/portrait.png" >"$WORK/bad.csv"
run verify -m "$MODEL" --no-detect --golden "$WORK/bad.csv"
expect_rc 1
expect_out "FAIL  golden             1/2 top-1 correct (50.0%); first miss: $IMG/portrait.png: expected 'Alpha Coupe 2012', got 'Delta Café 2011'"
run verify -m "$MODEL" --no-detect --golden "$WORK/bad.csv" --min-accuracy 0.5
expect_rc 0
run verify -m "$MODEL" --no-detect --golden "$WORK/bad.csv" --min-accuracy 0.75
expect_rc 1
# Relative paths in the CSV are relative to the CSV.
mkdir -p "$WORK/g/pics" && cp "$IMG/scene.png" "$WORK/g/pics/"
printf 'pics/scene.png,Delta Café 2011\n' >"$WORK/g/golden.csv"
run verify -m "$MODEL" --no-detect --golden "$WORK/g/golden.csv"
expect_rc 0

# verify itself cannot run: exit 2.
run verify -m "$MODEL" --no-detect --golden "$WORK/none.csv"
expect_rc 2
expect_err "golden file not found"
run verify -m "$MODEL" --no-detect -f xml
expect_rc 2

finish
