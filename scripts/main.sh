#!/usr/bin/env bash
# The main job: set up, fetch what the profile needs into the data root (datasets, external
# validation sets and ImageNet weights; only what is missing, each file checked before it takes
# its name, resumable) — stopping before any notebook when a required file is missing or fails
# its check —, execute the notebooks in order at the profile (default: quick; only those whose
# code, library, profile or data changed), check what the try page needs, then build the report
# site into site/dist.
# Usage: bash scripts/main.sh [smoke|quick|paper] [--repair] [--try-models]
#   --repair      set aside and fetch again data files that fail their check, or that an
#                 earlier, interrupted run left unverified
#   --try-models  train the models the try page shows when they are missing (notebooks cached)
# Executed notebooks of a profile other than quick (the published one, committed in notebooks/)
# go to out/<profile>/notebooks/, and the site is built from them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROFILE="${XRAY_PROFILE:-quick}"
DATA_FLAGS=()
NOTEBOOK_FLAGS=()
for arg in "$@"; do
  case "$arg" in
    smoke | quick | paper) PROFILE="$arg" ;;
    --repair) DATA_FLAGS+=(--repair) ;;
    --try-models) NOTEBOOK_FLAGS+=(--try-models) ;;
    *)
      echo "usage: bash scripts/main.sh [smoke|quick|paper] [--repair] [--try-models]" >&2
      exit 2
      ;;
  esac
done
source "$ROOT/scripts/setup.sh"
export XRAY_PROFILE="$PROFILE"
# what the steps' messages name as the command to run again
export XRAY_COMMAND="bash scripts/main.sh $PROFILE"
cd "$ROOT"
deno task data all --profile "$XRAY_PROFILE" ${DATA_FLAGS[@]+"${DATA_FLAGS[@]}"}
XRAY_NOTEBOOKS_DIR="$(deno run -A lib/notebook/cli.ts --profile "$XRAY_PROFILE" --print-out-dir)"
export XRAY_NOTEBOOKS_DIR
deno task notebooks --profile "$XRAY_PROFILE" ${NOTEBOOK_FLAGS[@]+"${NOTEBOOK_FLAGS[@]}"}
deno task site
