#!/usr/bin/env bash
# The tests: set up, then formatting, lint, type checks and the test suite (which also runs the
# notebooks at the smoke profile). The data root defaults to ./data (set XRAY_DATA_DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
deno fmt --check
deno lint
deno check lib/ test/ bench/
deno task test
