# Shared by the examples: where the binary and the sample photos are.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHATCAR="${WHATCAR:-$root/build/whatcar}"
SAMPLES="${SAMPLES:-$root/../shared/data/stanford-cars/images}"
if [ ! -x "$WHATCAR" ]; then
  echo "build whatcar first: scripts/build (or set WHATCAR=/path/to/whatcar)" >&2
  exit 2
fi
