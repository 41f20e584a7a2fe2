/**
 * Chooses the TensorFlow.js backend. For now: WebAssembly (fast on CPU) with the pure-JS `cpu`
 * backend as the fallback; `XRAY_BACKEND` overrides. The native and GPU backends and the
 * gradient kernels wasm lacks come with the training engine.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** Backends this module can start. */
export type BackendName = "wasm" | "cpu";

let ready: Promise<BackendName> | undefined;

/** Start the backend once (later calls return the same choice) and log the choice. */
export function initBackend(preferred?: BackendName): Promise<BackendName> {
  ready ??= choose(preferred ?? (Deno.env.get("XRAY_BACKEND") as BackendName | undefined));
  return ready;
}

async function choose(preferred: BackendName | undefined): Promise<BackendName> {
  const order: BackendName[] = preferred ? [preferred] : ["wasm", "cpu"];
  for (const name of order) {
    if (name === "wasm") setWasmPaths(wasmDir());
    if (await tf.setBackend(name).catch(() => false)) {
      await tf.ready();
      console.error(`[xray] tfjs backend: ${name}`);
      return name;
    }
  }
  throw new Error(`no tfjs backend could start (tried ${order.join(", ")})`);
}

// The .wasm binaries sit next to the package's entry point in node_modules.
function wasmDir(): string {
  const entry = fileURLToPath(import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
  return dirname(entry) + "/";
}

export { tf };
