#!/usr/bin/env bash
# The tests: set up, then formatting, lint, type checks and the test suite, which also runs the
# notebooks at the smoke profile and reads the report site built from them in Chromium. With
# native TensorFlow available the suite runs on it (and compares it with wasm), then the engine's
# tests run again on wasm.
# The data root defaults to ./data (set XRAY_DATA_DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export XRAY_NEED_BROWSER=1
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
deno task check
deno task test
# The engine's tests once more on WebAssembly when the run above used native TensorFlow.
if [ -f "$ROOT/.tools/native/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node" ] \
  && [ "${XRAY_BACKEND:-}" != wasm ]; then
  XRAY_BACKEND=wasm deno test -A test/train test/models test/explain test/projection
fi
