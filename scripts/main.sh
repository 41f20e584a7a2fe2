#!/usr/bin/env bash
# The main job: set up, fetch what the profile needs into the data root (datasets and ImageNet
# weights; only what is missing, with checksums, resumable), execute the notebooks in order at
# the profile (default: quick; only those whose code, library, profile or data changed), then
# build the report site into site/dist.
# Usage: bash scripts/main.sh [smoke|quick|paper]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
export XRAY_PROFILE="${1:-${XRAY_PROFILE:-quick}}"
cd "$ROOT"
deno task data all --profile "$XRAY_PROFILE"
deno task notebooks --profile "$XRAY_PROFILE"
deno task site
