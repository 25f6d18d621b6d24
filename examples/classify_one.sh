#!/usr/bin/env bash
# Classify one photo: the top-5 makes/models with probabilities.
#   examples/classify_one.sh [PHOTO]   (default: a true-colour Stanford Cars crop, training/prepare_data.py)
set -euo pipefail
source "$(dirname "$0")/common.sh"
photo="${1:-$SAMPLES/00032.png}"  # a validation image: never trained on
"$WHATCAR" "$photo"
