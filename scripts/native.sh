#!/usr/bin/env bash
# Native TensorFlow for the engine: @tensorflow/tfjs-node, with libtensorflow taken from the
# official TensorFlow wheel on PyPI when tfjs-node's own installer cannot download it.
#
# tfjs-node 4.22 downloads libtensorflow 2.9.1 and a prebuilt binding from storage.googleapis.com.
# Where only package registries are reachable, this script instead:
#   1. installs @tensorflow/tfjs-node (without its install script) into .tools/native/,
#   2. downloads tensorflow-cpu==2.16.2 from PyPI (SHA-256 pinned) and unpacks its C API
#      library, libtensorflow_cc.so.2, with libtensorflow_framework.so.2 and the C API headers,
#      into the package's deps/ (where its installer looks for an existing library),
#   3. builds the binding from the package's own sources with node-gyp.
# Why 2.16.2 and not 2.9.1 (the version tfjs-node 4.22 was built for): the 2.9.1 wheel has the
# C API only inside its Python extension, which needs libpython's symbols and cannot be loaded by
# Node; later wheels ship it in the stand-alone libtensorflow_cc.so.2 (no Python dependency).
# TensorFlow keeps its C API backward compatible, so the 2.9-era binding builds against 2.16's
# headers and runs on its library (the engine tests check the results against wasm). 2.16.2 is a
# manylinux2014 wheel (glibc ≥ 2.17) with CPU kernels built for AVX2/FMA.
#
# Usage: bash scripts/native.sh        (idempotent; prints the native backend it loaded)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NATIVE="$ROOT/.tools/native"
TFJS_NODE_VERSION="4.22.0"
TF_VERSION="2.16.2"
TF_WHEEL="tensorflow_cpu-${TF_VERSION}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
TF_SHA256="c855cb6bf05d32dd5928086b03a5f6b4189b63c22b95e017703cbee4291023ca"

say() { printf '[native %3ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[native] error: %s\n' "$*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "the wheel route is for Linux x86_64; elsewhere install @tensorflow/tfjs-node with npm"
command -v npm >/dev/null || die "npm is missing"
PKG="$NATIVE/node_modules/@tensorflow/tfjs-node"
BINDING="$PKG/lib/napi-v8/tfjs_binding.node"

check() {
  (cd "$NATIVE" && TF_CPP_MIN_LOG_LEVEL=2 node -e "
    const tf = require('@tensorflow/tfjs-node');
    const y = tf.square(tf.tensor([1, 2, 3])).dataSync();
    if (y[2] !== 9) throw new Error('wrong result ' + y);
    console.error('[native] loaded: backend ' + tf.getBackend() + ', TensorFlow ' + tf.version['tfjs-node']);
  ")
}

if [ -f "$BINDING" ] && check 2>/dev/null; then
  say "native TensorFlow is ready in .tools/native"
  exit 0
fi

# 1. The package, first the normal way (it downloads libtensorflow where it can), else without scripts.
mkdir -p "$NATIVE"
if [ ! -d "$PKG" ]; then
  say "installing @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
  if ! npm install --prefix "$NATIVE" --no-audit --no-fund --loglevel=error \
    "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" node-gyp@11 >/dev/null 2>&1; then
    say "its installer could not download libtensorflow; taking TensorFlow from the PyPI wheel"
    npm install --prefix "$NATIVE" --ignore-scripts --no-audit --no-fund --loglevel=error \
      "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" node-gyp@11 >/dev/null \
      || die "npm install @tensorflow/tfjs-node@$TFJS_NODE_VERSION failed"
  fi
fi
if [ -f "$BINDING" ] && check 2>/dev/null; then
  say "native TensorFlow is ready (installed by tfjs-node itself)"
  exit 0
fi

# 2. libtensorflow and headers from the wheel.
if [ ! -f "$PKG/deps/lib/libtensorflow_cc.so.2" ]; then
  command -v python3 >/dev/null || die "python3 (with pip) is needed to download the TensorFlow wheel"
  mkdir -p "$NATIVE/wheels"
  if [ ! -f "$NATIVE/wheels/$TF_WHEEL" ]; then
    say "downloading $TF_WHEEL from PyPI (about 210 MB)"
    printf 'tensorflow-cpu==%s --hash=sha256:%s\n' "$TF_VERSION" "$TF_SHA256" > "$NATIVE/wheels/requirements.txt"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
      --python-version 3.11 --platform manylinux2014_x86_64 \
      -r "$NATIVE/wheels/requirements.txt" -d "$NATIVE/wheels" \
      || die "pip download tensorflow-cpu==$TF_VERSION failed (is PyPI reachable?)"
  fi
  say "unpacking the TensorFlow C library and headers"
  python3 - "$NATIVE/wheels/$TF_WHEEL" "$PKG/deps" <<'PY'
import os, sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/ctstring",
           "tensorflow/include/tsl/c/", "tensorflow/include/tsl/platform/ctstring")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in libs:
            dest = os.path.join(deps, "lib", os.path.basename(name))
        elif name.startswith(headers) and name.endswith(".h"):
            dest = os.path.join(deps, "include", name[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest + ".part", "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
        os.replace(dest + ".part", dest)
PY
  # the binding links -ltensorflow; tfjs-node's installer treats libtensorflow.so.2.9.1 as present
  ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
  ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so.2.9.1"
  ln -sf libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"
fi

# 3. The binding, from the package's sources, against the local Node headers.
NODE_PREFIX="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[ -f "$NODE_PREFIX/include/node/node_api.h" ] \
  || die "Node.js headers not found under $NODE_PREFIX/include/node (install Node from nodesource, or Debian libnode-dev)"
say "building the tfjs-node binding with node-gyp"
(cd "$PKG" && "$NATIVE/node_modules/.bin/node-gyp" rebuild --nodedir="$NODE_PREFIX" \
  --module_name=tfjs_binding --module_path=lib/napi-v8 --napi_build_version=8 >"$NATIVE/build.log" 2>&1) \
  || { tail -20 "$NATIVE/build.log" >&2; die "node-gyp could not build the tfjs-node binding (needs make and g++; log: .tools/native/build.log)"; }
mkdir -p "$(dirname "$BINDING")"
cp "$PKG/build/Release/tfjs_binding.node" "$BINDING"
check || die "the binding was built but does not load"
say "native TensorFlow is ready in .tools/native"
