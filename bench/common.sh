# Shared by the bench scripts: the repository root, the model (first argument, default the
# bundled one), and a list of the first N shared images.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/models/whatcar-cars.pt}"
images="${WHATCAR_BENCH_IMAGES:-$root/../shared/data/stanford-cars/images}"
list=$(mktemp)
trap 'rm -f "$list" "$list.all"' EXIT
find "$images" -name "*.jpg" | sort >"$list.all"

# image_list N: $list holds N image paths, repeating the shared images when N is larger.
image_list() {
  : >"$list"
  while [ "$(wc -l <"$list")" -lt "$1" ]; do cat "$list.all" >>"$list"; done
  sed -n "1,$1p" "$list" >"$list.n" && mv "$list.n" "$list"
}
