#!/usr/bin/env bash
# WebGPU on an NVIDIA GPU machine in one go (issue 25, part 2). Two steps:
#
#   bash bench/gpu.sh pack          # here, with the project set up and the package registries:
#                                   # fills .gpu/ (git-ignored) with what the GPU machine lacks
#   bash bench/gpu.sh run [--quick] # there, from the repository root, with .gpu/ carried:
#                                   # writes $OUT/gpu.json (else results/gpu/gpu.json)
#
# The GPU machine has no network and takes 64 MiB of files in all (the repository's tracked
# files included), so .gpu/ holds: Deno itself (xz), the benchmark bundled into one file
# (`deno bundle`: TensorFlow.js, the WebGPU backend and this project's kernels and library, no
# node_modules), Debian's Vulkan loader (libvulkan1, absent there), and the data of chapter 3's
# fine-tuning (bench/gpu_pack.ts: COVID-19 fold 0 decoded to 224 px grey pixels, DenseNet121's
# ImageNet weights in half precision). `run` also runs PyTorch on the same GPU when it is there
# (bench/gpu_reference.py). `run --quick` tries everything at toy sizes on whatever adapter
# WebGPU offers (here: Mesa's llvmpipe), to test the script without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
GPU=.gpu
LIMIT_MIB=64

pack() {
  mkdir -p "$GPU/data/densenet121"
  local deno_bin version
  deno_bin=$(command -v deno)
  version=$(deno --version | head -1)
  if [[ ! -s $GPU/deno.xz || "$(cat "$GPU/deno.version" 2>/dev/null)" != "$version" ]]; then
    echo "[gpu] compressing $version (a few minutes)"
    xz -9 -T2 -c "$deno_bin" >"$GPU/deno.xz.part" && mv "$GPU/deno.xz.part" "$GPU/deno.xz"
    echo "$version" >"$GPU/deno.version"
  fi
  echo "[gpu] bundling bench/gpu_bench.ts"
  deno bundle --platform deno --external sharp -o "$GPU/gpu_bench.js" bench/gpu_bench.ts
  xz -f -9 -T2 "$GPU/gpu_bench.js"
  # sharp (native image decoding) cannot travel in a bundle; the carried pixels need none
  cat >"$GPU/sharp_stub.js" <<'EOF'
export default function sharp() {
  throw new Error("sharp is not available in the GPU bundle: images travel decoded");
}
EOF
  echo '{ "imports": { "sharp": "./sharp_stub.js" } }' >"$GPU/import_map.json"
  if ! ls "$GPU"/libvulkan1_*.deb >/dev/null 2>&1; then
    (cd "$GPU" && apt-get download libvulkan1) ||
      echo "[gpu] warning: could not download libvulkan1 (apt-get download libvulkan1 in $GPU)"
  fi
  if [[ ! -s $GPU/data/covid224.bin.xz ]]; then
    echo "[gpu] packing chapter 3's data (COVID-19 fold 0 at 224 px, DenseNet121 weights)"
    deno run -A bench/gpu_pack.ts "$GPU/data"
    # vertical differences first (rows of 224 bytes): a third smaller than plain xz
    xz -f -T2 --delta=dist=224 --lzma2=preset=6 "$GPU/data/covid224.bin"
    xz -f -T2 -6 "$GPU/data/densenet121/weights.f16"
  fi
  local carried tracked
  carried=$(du -sb "$GPU" | cut -f1)
  tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
  echo "[gpu] .gpu/ $((carried / 1048576)) MiB + tracked files $((tracked / 1048576)) MiB" \
    "of the $LIMIT_MIB MiB that travel"
  if ((carried + tracked > LIMIT_MIB * 1048576)); then
    echo "[gpu] too large to travel" >&2
    exit 1
  fi
  echo "[gpu] ready: on the GPU machine run 'bash bench/gpu.sh run' with .gpu carried"
}

run() {
  local quick="" out=${OUT:-results/gpu}
  [[ ${1:-} == --quick ]] && quick=--quick
  mkdir -p "$out"
  local work=/tmp/xray-gpu
  mkdir -p "$work/data/densenet121"
  # xz may be missing there; Python's lzma reads any xz stream (the delta filter too)
  unxz_to() {
    python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"
  }
  if [[ ! -x $work/deno ]]; then
    unxz_to "$GPU/deno.xz" "$work/deno"
    chmod +x "$work/deno"
  fi
  # the data, uncompressed outside the repository
  unxz_to "$GPU/data/covid224.bin.xz" "$work/data/covid224.bin"
  unxz_to "$GPU/data/densenet121/weights.f16.xz" "$work/data/densenet121/weights.f16"
  # the bundle runs from .gpu/, so that the library's project root is the repository's
  unxz_to "$GPU/gpu_bench.js.xz" "$GPU/gpu_bench.js"
  cp "$GPU/data/covid224.json" "$work/data/"
  cp "$GPU/data/densenet121/model.json" "$work/data/densenet121/"
  # Vulkan: the loader from Debian where it is missing, the NVIDIA driver's ICD where it is
  if ! ldconfig -p | grep -c libvulkan.so.1 >/dev/null; then
    for f in "$GPU"/libvulkan1_*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [[ -f $icd ]]; then export VK_DRIVER_FILES=$icd; fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} DENO_NO_UPDATE_CHECK=1
  nvidia-smi -L >"$out/nvidia-smi.txt" 2>&1 || true
  # PyTorch on the same GPU first (about a minute), when it is there
  if python3 -c "import torch, torchvision" 2>/dev/null; then
    timeout 150 python3 bench/gpu_reference.py "$out/torch.json" $quick ||
      echo "[gpu] PyTorch reference failed or timed out" >&2
  fi
  local budget=${XRAY_GPU_BUDGET:-330}
  local parts=${XRAY_GPU_PARTS:-filterGradient,profile,models,finetune}
  timeout $((budget + 45)) "$work/deno" run -A --no-config --import-map "$GPU/import_map.json" \
    "$GPU/gpu_bench.js" --pack "$work/data" --out "$out/gpu.json" --torch "$out/torch.json" \
    --budget "$budget" --parts "$parts" $quick
  echo "[gpu] results in $out/gpu.json"
}

case ${1:-} in
pack) pack ;;
run) run "${2:-}" ;;
*)
  echo "usage: bash bench/gpu.sh pack | run [--quick]" >&2
  exit 2
  ;;
esac
