/**
 * The multi-threaded WebAssembly backend under Deno.
 *
 * tfjs-backend-wasm ships a threaded SIMD build but switches it off outside browsers
 * (tensorflow/tfjs#3830): its pthread workers are started from `blob:` URLs, which
 * `node:worker_threads` rejects (`ERR_WORKER_PATH`). This module starts the same build with
 * the worker and the main script given as file paths, and works around three more things that
 * break it under Deno (each noted where it is done). The result is the stock backend, named
 * `wasm`, with every stock kernel, running XNNPACK on `threads` threads.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Folders of the installed tfjs-backend-wasm package. */
export function wasmPackageDirs(): { dist: string; wasmOut: string } {
  const entry = fileURLToPath(import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
  const dist = dirname(entry);
  return { dist, wasmOut: join(dirname(dist), "wasm-out") };
}

/** Emscripten module of the threaded build, with the cwrapped calls BackendWasm expects. */
// deno-lint-ignore no-explicit-any
type WasmModule = any;

/**
 * Register `wasm` as the threaded SIMD build with `threads` threads (replacing the stock
 * registration). Call before `tf.setBackend("wasm")`.
 */
export function registerThreadedWasm(threads: number): void {
  const { dist, wasmOut } = wasmPackageDirs();
  const mainScript = join(wasmOut, "tfjs-backend-wasm-threaded-simd.js");
  const factory = require(mainScript) as (config: Record<string, unknown>) => Promise<WasmModule>;
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", async () => {
    const workerFile = writeWorkerScript(wasmOut);
    // The C++ side caps its thread pool at hardwareConcurrency / 2 (it assumes two hyper-threads
    // per core); report twice the wanted count while the module initialises.
    const realCpus = os.cpus;
    os.cpus = () => Array.from({ length: 2 * threads }, () => realCpus()[0]);
    // Emscripten replaces the global Worker with node's; Deno's own must survive.
    const denoWorker = globalThis.Worker;
    // The pthread workers are unref'd, so nothing else keeps the event loop alive while they
    // load; without this Deno exits with "top-level await never resolved".
    const keepAlive = setInterval(() => {}, 100);
    let module: WasmModule;
    try {
      module = await factory({
        locateFile: (path: string) => (path.endsWith(".worker.js") ? workerFile : join(dist, path)),
        mainScriptUrlOrBlob: mainScript,
      });
    } finally {
      clearInterval(keepAlive);
      os.cpus = realCpus;
      globalThis.Worker = denoWorker;
    }
    module.tfjs = {
      init: module.cwrap("init", null, []),
      initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
      getThreadsCount: module.cwrap("get_threads_count", "number", []),
      registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
      disposeData: module.cwrap("dispose_data", null, ["number"]),
      dispose: module.cwrap("dispose", null, []),
    };
    return new BackendWasm(module);
  }, 2);
}

/**
 * Write the pthread worker script as a `.cjs` file (Deno loads `.js` workers as ES modules,
 * where `require` is missing) and return its path. The file name carries a hash of its text,
 * so versions never mix and a second process reuses the file.
 */
function writeWorkerScript(wasmOut: string): string {
  const contents: string =
    require(join(wasmOut, "tfjs-backend-wasm-threaded-simd.worker.js")).wasmWorkerContents;
  // The script assigns self, location, postMessage, … on the global object; in a Deno worker
  // some are getters or event-handler slots, so make them plain writable properties first.
  const prelude = `for (const k of ["self", "location", "postMessage", "performance", "Worker",
"onmessage"]) { try { Object.defineProperty(globalThis, k, { value: globalThis[k],
writable: true, configurable: true }); } catch (_) { /* keep the original */ } }\n`;
  // The exported text holds "\n" escapes that a template literal turned into newlines.
  const script = prelude + contents.replace(/\n/g, "\\n");
  const hash = createHash("sha256").update(script).digest("hex").slice(0, 16);
  const file = join(os.tmpdir(), `xray-tfjs-wasm-worker-${hash}.cjs`);
  try {
    if (Deno.readTextFileSync(file) === script) return file;
  } catch { /* not written yet */ }
  const tmp = `${file}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(tmp, script);
  Deno.renameSync(tmp, file);
  return file;
}
