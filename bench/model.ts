/**
 * One model benchmark, run in its own process by `bench/mod.ts` so that each line's peak
 * memory is its own: `deno run -A bench/model.ts <arch> <side> <batch> <threads>`.
 * Prints one JSON line: inference and training images/s (median of timed steps after a warm-up),
 * peak resident memory.
 * @module
 */
import { initBackend } from "../lib/backend/mod.ts";
import type { ModelName } from "../lib/data/normalise.ts";
import { createModel } from "../lib/models/build.ts";
import { modelSpeed } from "./_model_speed.ts";

const [arch, sideArg, batchArg, threadsArg] = Deno.args;
const side = Number(sideArg), batch = Number(batchArg);
const backend = await initBackend({ threads: Number(threadsArg) });
const cores = Number(threadsArg);
const model = await createModel({ arch: arch as ModelName, side, outputs: 14, init: "imagenet" });
const speed = await modelSpeed(model, side, batch);
const inferSeconds = speed.inferSeconds, trainSeconds = speed.trainSeconds;
const status = await Deno.readTextFile("/proc/self/status").catch(() => "");
const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
console.log(JSON.stringify({
  bench: "model",
  model: arch,
  side,
  batch,
  backend: backend.name,
  device: backend.description,
  threads: backend.name === "wasm" ? backend.threads : undefined,
  cores,
  infer_images_per_s: round(batch / inferSeconds),
  train_images_per_s: round(batch / trainSeconds),
  train_step_s: round(trainSeconds),
  peak_rss_mib: Math.round(hwm),
  deno: Deno.version.deno,
  cpu: navigator.hardwareConcurrency + " cores",
}));
Deno.exit(0);

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
