/// <reference lib="dom" />
/**
 * Which TF.js backend runs the model: the fastest one this browser offers, tried in order —
 * WebGPU, then WebGL, then WebAssembly (SIMD where available), then plain JavaScript — unless
 * the reader picks one. Every backend ships with the page; the wasm binaries are the site's own.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** Backends in the order they are tried. */
export const BACKEND_ORDER = ["webgpu", "webgl", "wasm", "cpu"] as const;
/** A backend name. */
export type BackendChoice = (typeof BACKEND_ORDER)[number];

/** The backend in use and why the faster ones are not. */
export interface BackendOutcome {
  readonly name: BackendChoice;
  readonly unavailable: readonly BackendChoice[];
}

/** Point the wasm backend at the site's copy of its binaries (before it first starts). */
export function useWasmFrom(dir: string): void {
  setWasmPaths(dir);
}

/** Start `wanted`, or the first backend in {@link BACKEND_ORDER} that starts. */
export async function chooseBackend(wanted?: BackendChoice): Promise<BackendOutcome> {
  const order = wanted ? [wanted, ...BACKEND_ORDER.filter((b) => b !== wanted)] : BACKEND_ORDER;
  const unavailable: BackendChoice[] = [];
  for (const name of order) {
    let started = false;
    try {
      // ask for a WebGPU adapter first: TF.js would log a stack trace when there is none
      started = (name !== "webgpu" || await hasGpuAdapter()) && await tf.setBackend(name);
      if (started) await tf.ready();
    } catch {
      started = false;
    }
    if (started) return { name, unavailable };
    unavailable.push(name);
  }
  throw new Error("no TF.js backend could start in this browser");
}

async function hasGpuAdapter(): Promise<boolean> {
  // deno-lint-ignore no-explicit-any
  const gpu = (navigator as any).gpu;
  return Boolean(gpu && await gpu.requestAdapter().catch(() => null));
}
