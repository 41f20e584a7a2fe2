/**
 * One model benchmark, run in its own process by `bench/mod.ts` so that each line's peak
 * memory is its own: `deno run -A bench/model.ts <arch> <side> <batch> <threads>`.
 * Prints one JSON line: inference and training images/s (median of timed steps after warm-up
 * steps: the first steps also grow the memory pools, touching fresh pages, as a long run does not),
 * peak resident memory.
 * @module
 */
import { initBackend, tf } from "../lib/backend/mod.ts";
import type { ModelName } from "../lib/data/normalise.ts";
import { createModel } from "../lib/models/build.ts";
import { Adam } from "../lib/train/adam.ts";
import { computeGradients, GradientSum, optimizerStep } from "../lib/train/step.ts";

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
// the settings of bench/reference.py's PyTorch Adam
const adam = new Adam({ learningRate: 1e-4, weightDecay: 5e-5 });

// Each step ends by reading its result back (asynchronously: WebGPU has no synchronous read).
async function inferStep(): Promise<void> {
  const out = model.predict(x) as tf.Tensor;
  await out.data();
  out.dispose();
}
// The step trainModel runs (lib/train/step.ts), one micro-batch per step.
async function trainStep(): Promise<void> {
  const { value, grads } = computeGradients(
    model,
    x,
    y,
    undefined,
    weights.map((w) => w.variable),
  );
  const summed = new GradientSum();
  summed.add(grads);
  const { sum, count } = summed.take()!;
  optimizerStep(adam, weights, sum, count);
  await value.data();
  value.dispose();
}
// Steps run before timing (bench/reference.py warms PyTorch up as many): the first step builds
// the kernels; the next ones still touch fresh pages while the memory pools grow.
const WARM_UP_STEPS = 3;

// Median wall time of a step after warm-up steps, and the process's CPU time per step (all
// threads; less sensitive than wall time to other processes on the machine).
async function median(
  f: () => Promise<void>,
  runs: number,
  warmUp = WARM_UP_STEPS,
): Promise<{ seconds: number; cpuSeconds: number }> {
  // operator creation, pipeline compilation, heap and memory-pool growth
  for (let i = 0; i < warmUp; i++) await f();
  const times: number[] = [];
  const cpu0 = cpuSeconds();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  const cpu = (cpuSeconds() - cpu0) / runs;
  return { seconds: times.sort((a, b) => a - b)[Math.floor(runs / 2)] / 1000, cpuSeconds: cpu };
}

// user + system time of this process (all threads), from /proc (NaN elsewhere)
function cpuSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const infer = await median(inferStep, 5);
const train = await median(trainStep, 3);
const inferSeconds = infer.seconds, trainSeconds = train.seconds;
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
  train_cpu_s_per_step: round(train.cpuSeconds),
  infer_cpu_s_per_batch: round(infer.cpuSeconds),
  peak_rss_mib: Math.round(hwm),
  deno: Deno.version.deno,
  cpu: navigator.hardwareConcurrency + " cores",
}));
Deno.exit(0);

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
