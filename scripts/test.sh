#!/usr/bin/env bash
# The tests: set up, then formatting, lint, type checks and the test suite, which also runs the
# notebooks at the smoke profile and reads the report site built from them in Chromium.
# The data root defaults to ./data (set XRAY_DATA_DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export XRAY_NEED_BROWSER=1
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
deno fmt --check
deno lint
deno check lib/ test/ bench/ site/
deno task test
