# bash completion for whatcar. Installed to share/bash-completion/completions/whatcar;
# to try it from a checkout: source completions/whatcar.bash
# tests/cli/test_completion.sh fails when an option in `whatcar <command> --help` is missing here.

_whatcar_options() {
  local model="-m --model --detector --no-detect -t --threads --precision -h --help"
  local recognize="-k --top --all-cars --min-score --min-box-area --crop-margin --min-confidence --max-pixels --max-bytes --full-decode"
  case "$1" in
    classify) echo "-f --format --timings -q --quiet $recognize $model" ;;
    batch) echo "--files-from -0 --null --no-recursive --ext --shard -o --output -f --format \
-b --batch-size -j --workers -q --quiet $recognize $model" ;;
    verify) echo "--sha256 --images --golden --min-accuracy --tolerance -f --format $model" ;;
    serve) echo "--bind -p --port --max-body --max-connections --timeout -j --workers --queue -q --quiet ${recognize/ --max-bytes/} $model" ;;
    *) echo "-h --help --version" ;;
  esac
}

# Folders, and files in the formats whatcar decodes: JPEG, PNG, HEIC/HEIF, AVIF, WebP, TIFF,
# JPEG XL, BMP, GIF, TGA, PSD, PNM (any case).
_whatcar_images() {
  local f
  compgen -d -- "$1"
  while IFS= read -r f; do
    [ -d "$f" ] && continue
    case "${f,,}" in
      *.jpg | *.jpeg | *.jpe | *.jfif | *.png | *.heic | *.heif | *.avif | *.webp | *.tif | *.tiff | *.jxl | \
        *.bmp | *.gif | *.tga | *.psd | *.pnm | *.ppm | *.pgm | *.pbm) echo "$f" ;;
    esac
  done < <(compgen -f -- "$1")
}

_whatcar() {
  local cur prev command="" i
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD - 1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      classify | batch | verify | serve) command="${COMP_WORDS[i]}"; break ;;
    esac
  done

  case "$prev" in
    -f | --format)
      if [ "$command" = verify ]; then
        mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur")
      else
        mapfile -t COMPREPLY < <(compgen -W "text json jsonl csv tsv" -- "$cur")
      fi
      return ;;
    -m | --model | --detector) mapfile -t COMPREPLY < <(compgen -f -X '!*.pt' -- "$cur"; compgen -d -- "$cur"); return ;;
    --images) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    --precision) mapfile -t COMPREPLY < <(compgen -W "fp32 bf16" -- "$cur"); return ;;
    --files-from | -o | --output | --golden) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    -k | --top | -t | --threads | -b | --batch-size | -j | --workers | --min-confidence | --max-pixels | --max-bytes | --min-score | --min-box-area | --crop-margin | \
      --shard | --ext | --sha256 | --min-accuracy | --tolerance | --bind | -p | --port | --max-body | --max-connections | \
      --timeout | --queue)
      return ;;  # a value the user types
  esac

  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_whatcar_options "${command:-classify}") $(
      [ -z "$command" ] && echo --version)" -- "$cur")
  elif [ -z "$command" ] && [ "$COMP_CWORD" = 1 ]; then
    # The first word is a command or, for `whatcar photo.jpg`, an image.
    mapfile -t COMPREPLY < <(compgen -W "classify batch verify serve" -- "$cur"; _whatcar_images "$cur")
  else
    mapfile -t COMPREPLY < <(_whatcar_images "$cur")
  fi
}

complete -o filenames -F _whatcar whatcar
