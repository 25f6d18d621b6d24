# Shared by the examples: where the binary and the sample photos are.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHATCAR="${WHATCAR:-$root/build/whatcar}"
# The true-colour copies of the Stanford Cars crops (training/prepare_data.py writes them).
SAMPLES="${SAMPLES:-${WHATCAR_DATA:-$HOME/.cache/whatcar/stanford-cars-rgb}/images}"
if [ ! -x "$WHATCAR" ]; then
  echo "build whatcar first: scripts/build (or set WHATCAR=/path/to/whatcar)" >&2
  exit 2
fi
