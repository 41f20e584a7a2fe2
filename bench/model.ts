/**
 * One model benchmark, run in its own process by `bench/mod.ts` so that each line's peak
 * memory is its own: `deno run -A bench/model.ts <arch> <side> <batch> <threads>`.
 * Prints one JSON line: inference and training images/s (median of timed steps after a warm-up),
 * peak resident memory.
 * @module
 */
import { initBackend, tf } from "../lib/backend/mod.ts";
import type { ModelName } from "../lib/data/normalise.ts";
import { createModel } from "../lib/models/build.ts";
import { Adam } from "../lib/train/adam.ts";
import { binaryCrossEntropy } from "../lib/train/loss.ts";

const [arch, sideArg, batchArg, threadsArg] = Deno.args;
const side = Number(sideArg), batch = Number(batchArg);
const backend = await initBackend({ threads: Number(threadsArg) });
const cores = Number(threadsArg);
const model = await createModel({ arch: arch as ModelName, side, outputs: 14, init: "imagenet" });
const x = tf.randomNormal([batch, side, side, 3], 0, 1, "float32", 1);
const y = tf.cast(tf.greater(tf.randomUniform([batch, 14], 0, 1, "float32", 2), 0.8), "float32");
const weights = model.trainableWeights.map((w) => ({
  name: w.originalName,
  variable: w.read() as tf.Variable,
}));
const adam = new Adam({ learningRate: 1e-4 });

// Each step ends by reading its result back (asynchronously: WebGPU has no synchronous read).
async function inferStep(): Promise<void> {
  const out = model.predict(x) as tf.Tensor;
  await out.data();
  out.dispose();
}
async function trainStep(): Promise<void> {
  const { value, grads } = tf.variableGrads(
    () => binaryCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
    weights.map((w) => w.variable),
  );
  adam.apply(weights, weights.map((w) => grads[w.variable.name]));
  await value.data();
  tf.dispose([value, ...Object.values(grads)]);
}
async function median(f: () => Promise<void>, runs: number): Promise<number> {
  await f(); // warm-up: operator creation, pipeline compilation, heap growth
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] / 1000;
}

const inferSeconds = await median(inferStep, 5);
const trainSeconds = await median(trainStep, 3);
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
