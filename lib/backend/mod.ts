/**
 * Chooses the TensorFlow.js backend, once per process, and says which it chose.
 *
 * Order: native TensorFlow on a GPU (`@tensorflow/tfjs-node-gpu`, when installed and it sees
 * one), else WebGPU on a hardware adapter (Deno's own; this project's kernels), else native
 * TensorFlow on the CPU (`@tensorflow/tfjs-node`), else WebAssembly with this project's
 * gradient kernels (threaded when more than one thread is asked for), else the pure-JS `cpu`
 * backend. The native packages are optional: used when installed, never required.
 * `XRAY_BACKEND` (`tensorflow`, `webgpu`, `wasm`, `cpu`) forces one — `webgpu` also on a
 * software adapter; `XRAY_THREADS` sets the thread count of wasm and of native TensorFlow's
 * kernels (default: all cores, at most 8), which native results depend on. What differs between
 * backends (how many images one pass may hold) is a property of the chosen backend, read from
 * {@link BackendInfo}, never a check of its name.
 * @module
 */
// the union package: core, layers, the cpu backend, and every op's gradient registered
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { env } from "../config.ts";
import { registerWasmKernels } from "./_kernels/mod.ts";
import { loadNative, type NativeBackend } from "./_native.ts";
import { shareSmallConstants } from "./_native_constants.ts";
import { registerFastGradients } from "./native_ops.ts";
import { registerThreadedWasm, wasmPackageDirs } from "./_wasm_threads.ts";
import { startWebGpu, webGpuAdapter } from "./webgpu.ts";

/** Backends this module can start. `tensorflow` is native TensorFlow through tfjs-node. */
export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";

/** The backend in use and how it runs. */
export interface BackendInfo {
  readonly name: BackendName;
  /** Threads: of the wasm pool, of native TensorFlow's kernels (intra-op), 1 for cpu. */
  readonly threads: number;
  /** One line for logs and results, e.g. "wasm (SIMD, 2 threads, project gradient kernels)". */
  readonly description: string;
  /** Whether the work runs on a GPU (native TensorFlow on CUDA, or WebGPU on a hardware adapter). */
  readonly gpu: boolean;
  /** Backends tried before this one, and why each was passed over. */
  readonly passedOver: readonly string[];
  /**
   * The most images of `side` px one forward/backward pass may hold; larger batches are met by
   * gradient accumulation. The wasm heap is capped at 4 GiB; the other backends are not.
   */
  readonly maxMicroBatch: (side: number) => number;
}

// DenseNet121 training in wasm's 4 GiB heap: 2 images at 224 px, and memory grows with pixels.
function wasmMicroBatch(side: number): number {
  return Math.max(1, Math.floor(2 * (224 / side) ** 2));
}

const unlimited = () => Infinity;

/** Options for {@link initBackend}; environment variables fill what is left out. */
export interface BackendOptions {
  readonly backend?: BackendName;
  readonly threads?: number;
}

let ready: Promise<BackendInfo> | undefined;
let current: BackendInfo | undefined;

/**
 * Start the backend once (later calls return the same choice) and log the choice on stderr.
 * @throws Error when a forced backend cannot start, naming it and the reason.
 */
export function initBackend(options: BackendOptions | BackendName = {}): Promise<BackendInfo> {
  const opts = typeof options === "string" ? { backend: options } : options;
  ready ??= choose(opts).then((info) => {
    current = info;
    // after the backend: loading tfjs-node registers the stock gradients again
    registerFastGradients();
    console.error(`[xray] tfjs backend: ${info.description}`);
    return info;
  });
  return ready;
}

/** The backend chosen by {@link initBackend}, or undefined before it finished. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

async function choose(options: BackendOptions): Promise<BackendInfo> {
  const forced = options.backend ?? parseBackend(env("XRAY_BACKEND"));
  const threads = options.threads ?? parseThreads(env("XRAY_THREADS"));
  const passedOver: string[] = [];
  const order: BackendName[] = forced ? [forced] : ["tensorflow", "webgpu", "wasm", "cpu"];
  for (const name of order) {
    const why = await tryStart(name, threads, passedOver, Boolean(forced));
    if (typeof why !== "string") return why;
    if (forced) throw new Error(`XRAY_BACKEND=${forced} cannot start: ${why}`);
    passedOver.push(`${name}: ${why}`);
  }
  throw new Error(`no tfjs backend could start (${passedOver.join("; ")})`);
}

// Start one backend; the reason as a string when it cannot.
async function tryStart(
  name: BackendName,
  threads: number,
  passedOver: string[],
  forced: boolean,
): Promise<BackendInfo | string> {
  if (name === "tensorflow") {
    // TensorFlow's CPU kernels are deterministic for a fixed thread count, and only then: the
    // count decides how sums are split. Fix it before the library loads, and record it.
    const intraOp = Number(env("TF_NUM_INTRAOP_THREADS")) || threads;
    Deno.env.set("TF_NUM_INTRAOP_THREADS", String(intraOp));
    const native: NativeBackend | string = await loadNative();
    if (typeof native === "string") return native;
    if (!(await tf.setBackend("tensorflow").catch(() => false))) return "setBackend failed";
    await tf.ready();
    shareSmallConstants(tf.backend());
    const gpu = Boolean(
      (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice,
    );
    if (!gpu && !forced) {
      // a GPU reachable through WebGPU beats TensorFlow on the CPU
      const adapter = await webGpuAdapter();
      if (adapter && !adapter.software) return `CPU only, and WebGPU has ${adapter.description}`;
    }
    return {
      name,
      threads: intraOp,
      gpu,
      passedOver,
      maxMicroBatch: unlimited,
      description: `tensorflow (${native.packageName} ${native.version}, ${
        gpu ? "GPU" : `CPU, ${intraOp} thread${intraOp > 1 ? "s" : ""}`
      })`,
    };
  }
  if (name === "webgpu") {
    const adapter = await webGpuAdapter();
    if (!adapter) return "no WebGPU adapter";
    if (adapter.software && !forced) {
      return `only a software adapter (${adapter.description}), slower than the CPU backends`;
    }
    if (!(await startWebGpu())) return "setBackend failed";
    return {
      name,
      threads: 1,
      gpu: !adapter.software,
      passedOver,
      maxMicroBatch: unlimited,
      description: `webgpu (${adapter.description}${
        adapter.software ? ", a software adapter" : ""
      }, project kernels)`,
    };
  }
  if (name === "wasm") {
    prepareWasm(threads);
    if (!(await tf.setBackend("wasm").catch(() => false))) return "the wasm module did not load";
    await tf.ready();
    const actual = getThreadsCount();
    return {
      name,
      threads: actual,
      gpu: false,
      passedOver,
      maxMicroBatch: wasmMicroBatch,
      description: `wasm (SIMD, ${actual} thread${
        actual > 1 ? "s" : ""
      }, project gradient kernels)`,
    };
  }
  if (!(await tf.setBackend("cpu").catch(() => false))) return "setBackend failed";
  await tf.ready();
  return {
    name,
    threads: 1,
    gpu: false,
    passedOver,
    maxMicroBatch: unlimited,
    description: "cpu (pure JavaScript)",
  };
}

let wasmPrepared = false;

/**
 * Register the wasm backend (threaded when `threads` > 1) and the project's kernels, without
 * switching to it — so that a process on another backend can still compare against wasm.
 */
export function prepareWasm(threads = parseThreads(env("XRAY_THREADS"))): void {
  if (wasmPrepared) return;
  wasmPrepared = true;
  const { dist } = wasmPackageDirs();
  setWasmPaths(dist + "/");
  if (threads > 1) {
    registerThreadedWasm(threads);
    setThreadsCount(threads);
  }
  registerWasmKernels();
}

function parseBackend(value: string | undefined): BackendName | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  if (v === "tensorflow" || v === "webgpu" || v === "wasm" || v === "cpu") return v;
  throw new Error(`XRAY_BACKEND="${value}" is not a backend: use tensorflow, webgpu, wasm or cpu`);
}

function parseThreads(value: string | undefined): number {
  // the wasm build pre-starts 8 workers, the most its pool can use
  const cores = Math.min(8, navigator.hardwareConcurrency || 1);
  if (!value) return cores;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new Error(`XRAY_THREADS="${value}" must be a whole number from 1 to 8`);
  }
  return n;
}

export { tf };
