/// <reference lib="dom" />
/**
 * Which TF.js backend runs the model. Unless the reader picks one, the page measures: a GPU
 * backend that runs on the CPU (SwiftShader, llvmpipe — what a browser offers without a usable
 * GPU) is passed over for WebAssembly, which is far faster there; where more than one candidate
 * remains, a short timing probe (a few convolutions shaped like DenseNet121's) picks the
 * fastest. Every backend ships with the page; the wasm binaries are the site's own.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** Backends in the order they are listed (and tried when no probe can run). */
export const BACKEND_ORDER = ["webgpu", "webgl", "wasm", "cpu"] as const;
/** A backend name. */
export type BackendChoice = (typeof BACKEND_ORDER)[number];

/** The backend in use, and how it was chosen. */
export interface BackendOutcome {
  readonly name: BackendChoice;
  /** Backends that could not start here. */
  readonly unavailable: readonly BackendChoice[];
  /** GPU backends passed over because they run on the CPU, with the adapter's name. */
  readonly software: readonly { name: BackendChoice; device: string }[];
  /** Milliseconds of one probe run per backend measured (empty when nothing was measured). */
  readonly probe: Readonly<Partial<Record<BackendChoice, number>>>;
}

/** Names of GPU adapters that are CPU implementations. */
export const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/** Point the wasm backend at the site's copy of its binaries (before it first starts). */
export function useWasmFrom(dir: string): void {
  setWasmPaths(dir);
}

/**
 * Start `wanted`; or, for `undefined` (auto), the fastest hardware candidate by a timing probe,
 * with WebAssembly among the candidates and software GPUs left out (`probeAll` measures them
 * too, for a report). Falls back along {@link BACKEND_ORDER} when a choice fails to start.
 */
export async function chooseBackend(
  wanted?: BackendChoice,
  options: { probeAll?: boolean } = {},
): Promise<BackendOutcome> {
  const unavailable: BackendChoice[] = [];
  const software: { name: BackendChoice; device: string }[] = [];
  const probe: Partial<Record<BackendChoice, number>> = {};
  if (wanted) {
    if (await start(wanted)) return { name: wanted, unavailable, software, probe };
    unavailable.push(wanted);
  }
  // auto (or the wanted one failed): measure the candidates
  const candidates: BackendChoice[] = [];
  for (const name of ["webgpu", "webgl", "wasm"] as const) {
    if (name === wanted) continue;
    const device = await gpuDevice(name);
    if (device === null) {
      unavailable.push(name);
      continue;
    }
    if (device !== undefined && SOFTWARE_GPU.test(device)) {
      software.push({ name, device });
      if (!options.probeAll) continue;
    }
    candidates.push(name);
  }
  // one candidate needs no probe
  for (const name of candidates.length > 1 ? candidates : []) {
    if (!(await start(name))) {
      unavailable.push(name);
      continue;
    }
    probe[name] = await timeProbe();
  }
  const usable = (Object.keys(probe) as BackendChoice[])
    .filter((n) => !software.some((s) => s.name === n));
  const fastest = candidates.length === 1
    ? candidates[0]
    : usable.sort((a, b) => probe[a]! - probe[b]!)[0];
  for (const name of fastest ? [fastest, "cpu" as const] : ["cpu" as const]) {
    if (tf.getBackend() === name || await start(name)) {
      return { name, unavailable: unavailable.filter((n) => n !== name), software, probe };
    }
  }
  throw new Error("no TF.js backend could start in this browser");
}

async function start(name: BackendChoice): Promise<boolean> {
  try {
    // ask for a WebGPU adapter first: TF.js would log a stack trace when there is none
    if (name === "webgpu" && await gpuDevice("webgpu") === null) return false;
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return true;
  } catch {
    return false;
  }
}

/**
 * The GPU device behind a backend: its name (undefined when the browser does not say), or
 * null when the backend cannot run here. For wasm, undefined (no GPU).
 */
async function gpuDevice(name: BackendChoice): Promise<string | undefined | null> {
  if (name === "webgpu") {
    // deno-lint-ignore no-explicit-any
    const gpu = (navigator as any).gpu;
    const adapter = gpu && await gpu.requestAdapter().catch(() => null);
    if (!adapter) return null;
    if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) return "fallback adapter";
    const info = adapter.info ?? {};
    return [info.vendor, info.architecture, info.device, info.description].filter(Boolean)
      .join(" ") || undefined;
  }
  if (name === "webgl") {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as
      | WebGLRenderingContext
      | null;
    if (!gl) return null;
    const debug = gl.getExtension("WEBGL_debug_renderer_info");
    const device = debug
      ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL))
      : String(gl.getParameter(gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return device || undefined;
  }
  return undefined;
}

/**
 * Milliseconds for a few convolutions shaped like a DenseNet121 dense block at 32 px (batch 1),
 * read back, after one warm-up run that compiles the kernels.
 */
async function timeProbe(): Promise<number> {
  const x = tf.randomNormal([1, 32, 32, 128], 0, 1, "float32", 1) as tf.Tensor4D;
  const w1 = tf.randomNormal([1, 1, 128, 128], 0, 0.1, "float32", 2) as tf.Tensor4D;
  const w3 = tf.randomNormal([3, 3, 128, 32], 0, 0.1, "float32", 3) as tf.Tensor4D;
  const once = async () => {
    const y = tf.tidy(() => {
      let h: tf.Tensor4D = x;
      for (let i = 0; i < 3; i++) h = tf.relu(tf.conv2d(h, w1, 1, "same"));
      return tf.conv2d(h, w3, 1, "same").sum();
    });
    await y.data();
    y.dispose();
  };
  try {
    await once();
    const started = performance.now();
    await once();
    await once();
    return (performance.now() - started) / 2;
  } finally {
    tf.dispose([x, w1, w3]);
  }
}
