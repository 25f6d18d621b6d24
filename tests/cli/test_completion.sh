#!/usr/bin/env bash
# The bash completion (completions/whatcar.bash): it knows every option each command's --help
# lists, and completes commands, options and option values.
source "$(dirname "$0")/lib.sh"
COMPLETION="$SOURCE_DIR/completions/whatcar.bash"
# shellcheck source=../../completions/whatcar.bash
source "$COMPLETION"

# complete WORD...: the completions bash would offer for the last word, one per line in OUT.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _whatcar
  OUT=$(printf '%s\n' "${COMPREPLY[@]}")
  ERR="" RC=0
}
expect_word() { check; grep -qxF -- "$1" <<<"$OUT" || fail "completion lacks: $1"; }
expect_no_word() { check; ! grep -qxF -- "$1" <<<"$OUT" || fail "completion offers: $1"; }

# Every option of every command's --help is known to the completion.
for command in "" classify batch verify serve; do
  run $command --help
  expect_rc 0
  options=$(grep -oE '^  (-[A-Za-z0-9],)?--?[A-Za-z0-9][-A-Za-z0-9]*' "$WORK/out" | tr ',' ' ')
  check; [ -n "$options" ] || fail "no options found in 'whatcar $command --help'"
  known=" $(_whatcar_options "${command:-top}") "
  for option in $options; do
    check; [[ "$known" == *" $option "* ]] || fail "completion for '${command:-whatcar}' lacks $option"
  done
done

complete_words whatcar ba
expect_word batch
expect_no_word verify
complete_words whatcar ""
expect_word classify
expect_word verify
complete_words whatcar batch --for
expect_word --format
expect_no_word --files-from
complete_words whatcar verify -f ""
expect_word json
expect_no_word jsonl
complete_words whatcar batch -f j
expect_word jsonl
complete_words whatcar -
expect_word --version
expect_word --top
complete_words whatcar verify --
expect_word --golden
expect_no_word --timings
complete_words whatcar se
expect_word serve
complete_words whatcar serve --max
expect_word --max-body
expect_word --max-connections
expect_no_word --max-accuracy

# Paths: images (every format whatcar decodes) and folders after a command, only .pt files (and
# folders) after --model.
touch "$WORK/a.jpg" "$WORK/m.pt" "$WORK/b.HEIC" "$WORK/c.webp" "$WORK/d.avif" "$WORK/e.tiff" "$WORK/f.jxl" "$WORK/notes.txt"
mkdir "$WORK/album"
complete_words whatcar classify "$WORK/"
for f in a.jpg b.HEIC c.webp d.avif e.tiff f.jxl album; do expect_word "$WORK/$f"; done
expect_no_word "$WORK/notes.txt"
complete_words whatcar "$WORK/a"
expect_word "$WORK/a.jpg"
complete_words whatcar -m "$WORK/"
expect_word "$WORK/m.pt"
expect_no_word "$WORK/a.jpg"

finish
