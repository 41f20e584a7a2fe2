#!/usr/bin/env bash
# The main job: set up, then execute every notebook in order at a profile (default: quick).
# Usage: bash scripts/main.sh [smoke|quick|paper]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
export XRAY_PROFILE="${1:-${XRAY_PROFILE:-quick}}"
cd "$ROOT"
deno task notebooks --profile "$XRAY_PROFILE"
echo "Executed notebooks are in notebooks/ (profile $XRAY_PROFILE)."
