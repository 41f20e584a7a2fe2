#!/usr/bin/env bash
# Installs what the project needs, idempotently: Deno (from npm, pinned), the npm packages,
# Jupyter (Debian packages) and the Deno Jupyter kernel. Sourced by main.sh and test.sh;
# afterwards `deno` is on PATH. Stops with one clear message when something cannot be installed.
set -euo pipefail

DENO_VERSION="2.9.6"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
DENO="$TOOLS/node_modules/.bin/deno"

say() { printf '[setup %3ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

apt_install() {
  # $@: Debian packages. Runs apt-get update once per setup.
  if [ -z "${XRAY_APT_UPDATED:-}" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    XRAY_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Networks that inspect TLS put their CA in the system bundle; let Node and Deno use it
# (without it npm retries for minutes before giving up).
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
export DENO_TLS_CA_STORE="${DENO_TLS_CA_STORE:-mozilla,system}"

# 1. Node and npm: the only prerequisites.
command -v npm >/dev/null 2>&1 || die "npm is missing: install Node.js (which ships npm) first, e.g. 'apt-get install nodejs npm'."

# 2. Deno, pinned, from the npm package 'deno' into .tools/.
if [ ! -x "$DENO" ] || [ "$("$DENO" --version 2>/dev/null | head -1 | cut -d' ' -f2)" != "$DENO_VERSION" ]; then
  say "installing Deno $DENO_VERSION from npm into .tools/"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >/dev/null \
    || die "could not install Deno from npm (npm install deno@$DENO_VERSION failed)."
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"
export DENO_NO_UPDATE_CHECK=1

# 3. The project's npm packages (pinned in deno.json, locked in deno.lock).
(cd "$ROOT" && deno install --quiet >/dev/null 2>&1) || (cd "$ROOT" && deno install) \
  || die "could not install the npm packages listed in deno.json (deno install failed)."

# 4. Jupyter with nbclient/nbconvert, from Debian's packages (the system Python's).
JUPYTER_PACKAGES="jupyter-nbconvert python3-nbclient jupyter-client"
jupyter_ok() { command -v jupyter >/dev/null 2>&1 && jupyter nbconvert --version >/dev/null 2>&1; }
if ! jupyter_ok; then
  export PATH="/usr/bin:$PATH"
fi
if ! jupyter_ok; then
  say "installing Jupyter ($JUPYTER_PACKAGES)"
  apt_install $JUPYTER_PACKAGES \
    || die "Jupyter is missing and cannot be installed without root. Install the Debian packages: sudo apt-get install $JUPYTER_PACKAGES"
  jupyter_ok || die "Jupyter was installed but 'jupyter nbconvert' does not run."
fi

# 5. A user-wide Deno kernel, for opening the notebooks in Jupyter yourself. `deno task notebooks`
#    does not need it (it runs the kernel with its own Deno), so one that works is left alone:
#    it may belong to another checkout.
kernel_json="$(jupyter --data-dir)/kernels/deno/kernel.json"
kernel_deno="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["argv"][0])' "$kernel_json" 2>/dev/null || true)"
if [ -z "$kernel_deno" ] || [ ! -x "$kernel_deno" ]; then
  say "installing the Deno Jupyter kernel"
  (cd "$TOOLS" && deno jupyter --install --force >/dev/null 2>&1) \
    || die "could not install the Deno Jupyter kernel (deno jupyter --install failed)."
  # the kernelspec must name a stable path: this project's Deno, not a temporary one
  python3 - "$kernel_json" "$(readlink -f "$DENO")" <<'PY'
import json, sys
path, deno = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["argv"][0] = deno
json.dump(spec, open(path, "w"), indent=2)
PY
fi
# 6. Chromium, for the browser tests only (test.sh sets XRAY_NEED_BROWSER=1).
if [ "${XRAY_NEED_BROWSER:-0}" = 1 ] && [ ! -x "${XRAY_CHROMIUM:-/usr/bin/chromium}" ]; then
  say "installing Chromium (Debian package chromium) for the browser tests"
  apt_install chromium \
    || die "Chromium is missing and cannot be installed without root. Install it: sudo apt-get install chromium (or set XRAY_CHROMIUM to a Chromium binary)."
fi
# 7. Native TensorFlow, optional: the engine falls back to WebAssembly without it. scripts/native.sh
#    installs @tensorflow/tfjs-node the normal way, or from the TensorFlow wheel on PyPI where its
#    installer cannot download libtensorflow. XRAY_NATIVE=0 skips it; XRAY_REQUIRE_NATIVE=1 (CI)
#    makes a failure fatal.
if [ "${XRAY_NATIVE:-1}" != 0 ]; then
  if ! bash "$ROOT/scripts/native.sh"; then
    [ "${XRAY_REQUIRE_NATIVE:-0}" = 1 ] && die "native TensorFlow is required (XRAY_REQUIRE_NATIVE=1) but could not be provisioned."
    say "native TensorFlow is not available: the engine will use WebAssembly"
  fi
fi
say "ready: $(deno --version | head -1), $(jupyter nbconvert --version 2>/dev/null | sed 's/^/nbconvert /'), kernel deno"
