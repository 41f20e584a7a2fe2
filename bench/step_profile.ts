/**
 * Where a training step's time goes on native TensorFlow:
 * `deno run -A bench/step_profile.ts <arch> <side> <batch> <threads> [steps]`.
 *
 * Counts, per phase of a training step (forward, backward, optimizer, read-back), the
 * TensorFlow.js kernels run and the TensorFlow ops dispatched through tfjs-node's binding,
 * and times every call into the binding: executing ops (`executeOp`: N-API, TensorFlow's eager
 * runtime and the kernel itself), creating tensors from JavaScript values (`createTensor`,
 * e.g. the axis and shape arguments tfjs-node makes for many ops), freeing them
 * (`deleteTensor`) and reading them (`tensorDataSync`). The rest of the step's wall time is
 * spent in JavaScript: TensorFlow.js' engine, the gradient tape, the layers, bookkeeping.
 * The fixed cost of one op inside `executeOp` is measured on a one-element `Add` (and the
 * cost of the whole TensorFlow.js path for one op on `tf.add`), so that the time inside
 * TensorFlow's kernels can be estimated as the binding's time less that fixed cost per op.
 * Prints a table on stderr and one JSON line on stdout; the step is the one `trainModel`
 * runs (see `lib/train/step.ts`).
 * @module
 */
import { initBackend, tf } from "../lib/backend/mod.ts";
import type { ModelName } from "../lib/data/normalise.ts";
import { createModel } from "../lib/models/build.ts";
import { Adam } from "../lib/train/adam.ts";
import { computeGradients, GradientSum, optimizerStep } from "../lib/train/step.ts";

const [arch, sideArg, batchArg, threadsArg, stepsArg] = Deno.args;
if (!arch || !sideArg || !batchArg) {
  console.error("usage: bench/step_profile.ts <arch> <side> <batch> [threads] [steps]");
  Deno.exit(2);
}
const side = Number(sideArg), batch = Number(batchArg), steps = Number(stepsArg ?? 3);
const backend = await initBackend({ backend: "tensorflow", threads: Number(threadsArg ?? 2) });

type Phase = "forward" | "backward" | "moving averages" | "optimizer" | "readback" | "other";
interface Tally {
  kernels: number;
  ops: number;
  opMs: number;
  creates: number;
  createMs: number;
  deletes: number;
  deleteMs: number;
  reads: number;
  readMs: number;
  wallMs: number;
}
const zero = (): Tally => ({
  kernels: 0,
  ops: 0,
  opMs: 0,
  creates: 0,
  createMs: 0,
  deletes: 0,
  deleteMs: 0,
  reads: 0,
  readMs: 0,
  wallMs: 0,
});
let phase: Phase = "other";
let counting = false;
const tallies = new Map<Phase, Tally>();
const byOp = new Map<string, { count: number; ms: number }>();
const tally = () => {
  let t = tallies.get(phase);
  if (!t) tallies.set(phase, t = zero());
  return t;
};

// Wrap the binding's entry points and the engine's kernel dispatch.
type Fn = (...args: unknown[]) => unknown;
// (the binding's own properties are read-only: the backend gets a wrapper object instead)
const nodeBackend = tf.backend() as unknown as { binding: Record<string, Fn> };
const originalBinding = nodeBackend.binding;
const binding: Record<string, Fn> = Object.create(originalBinding);
nodeBackend.binding = binding;
const wrap = (name: string, record: (ms: number, args: unknown[]) => void) => {
  const original = originalBinding[name].bind(originalBinding);
  const timed = (...args: unknown[]) => {
    if (!counting) return original(...args);
    const t = performance.now();
    try {
      return original(...args);
    } finally {
      record(performance.now() - t, args);
    }
  };
  Object.defineProperty(binding, name, { value: timed });
};
wrap("executeOp", (ms, args) => {
  const t = tally();
  t.ops++;
  t.opMs += ms;
  const name = String(args[0]);
  const o = byOp.get(name) ?? { count: 0, ms: 0 };
  o.count++;
  o.ms += ms;
  byOp.set(name, o);
});
wrap("createTensor", (ms) => {
  const t = tally();
  t.creates++;
  t.createMs += ms;
});
wrap("deleteTensor", (ms) => {
  const t = tally();
  t.deletes++;
  t.deleteMs += ms;
});
wrap("tensorDataSync", (ms) => {
  const t = tally();
  t.reads++;
  t.readMs += ms;
});
const engine = tf.engine() as unknown as { runKernelFunc: Fn };
const runKernelFunc = engine.runKernelFunc.bind(engine);
const byKernel = new Map<string, number>();
engine.runKernelFunc = (...args: unknown[]) => {
  if (counting) {
    tally().kernels++;
    const p = args[0] as { kernelName?: string };
    const key = `${phase}:${p.kernelName ?? "custom"}`;
    byKernel.set(key, (byKernel.get(key) ?? 0) + 1);
  }
  return runKernelFunc(...args);
};

const model = await createModel({ arch: arch as ModelName, side, outputs: 14, init: "imagenet" });
const x = tf.randomNormal([batch, side, side, 3], 0, 1, "float32", 1);
const y = tf.cast(tf.greater(tf.randomUniform([batch, 14], 0, 1, "float32", 2), 0.8), "float32");
const weights = model.trainableWeights.map((w) => ({
  name: w.originalName,
  variable: w.read() as tf.Variable,
}));
const adam = new Adam({ learningRate: 1e-4, weightDecay: 5e-5 });

async function step(): Promise<void> {
  let t = performance.now();
  const enter = (next: Phase) => {
    const now = performance.now();
    if (counting) tally().wallMs += now - t;
    t = now;
    phase = next;
  };
  enter("forward");
  const { value, grads } = computeGradients(
    model,
    x,
    y,
    undefined,
    weights.map((w) => w.variable),
    enter,
  );
  enter("optimizer");
  const summed = new GradientSum();
  summed.add(grads);
  const { sum, count } = summed.take()!;
  optimizerStep(adam, weights, sum, count);
  enter("readback");
  await value.data();
  value.dispose();
  enter("other");
}

await step(); // warm-up: kernel creation, memory pools
// for a sampling profiler attached from outside (bench/perf_step.sh)
console.error(`[step-profile] pid ${Deno.pid}: timed steps begin`);
counting = true;
const faultsBefore = minorFaults();
const began = performance.now();
for (let i = 0; i < steps; i++) await step();
const stepMs = (performance.now() - began) / steps;
const faultsPerStep = (minorFaults() - faultsBefore) / steps;
counting = false;
console.error(`[step-profile] timed steps end`);

// Fixed cost of one op: a one-element Add through the binding alone, and through tf.add.
const a = tf.tensor1d([1]), b = tf.tensor1d([2]);
const reps = 2000;
const ids = (tf.backend() as unknown as { tensorMap: { get(id: unknown): { id: number } } })
  .tensorMap;
await a.data();
tf.add(a, b).dispose(); // make the handles
const idA = ids.get(a.dataId).id, idB = ids.get(b.dataId).id;
const floatType = Number(binding.TF_FLOAT);
const typeAttr = [{ name: "T", type: Number(binding.TF_ATTR_TYPE), value: floatType }];
let t0 = performance.now();
for (let i = 0; i < reps; i++) {
  const out = binding.executeOp("Add", typeAttr, [idA, idB], 1) as { id: number }[];
  binding.deleteTensor(out[0].id);
}
const bindingOpUs = (performance.now() - t0) * 1000 / reps;
t0 = performance.now();
for (let i = 0; i < reps; i++) tf.add(a, b).dispose();
const tfjsOpUs = (performance.now() - t0) * 1000 / reps;
tf.dispose([a, b]);

const phases: Phase[] = ["forward", "backward", "moving averages", "optimizer", "readback"];
const per = (v: number) => v / steps;
const rows = phases.map((p) => {
  const t = tallies.get(p) ?? zero();
  const nativeMs = t.opMs + t.createMs + t.deleteMs + t.readMs;
  const fixedMs = t.ops * bindingOpUs / 1000;
  return {
    phase: p,
    tfjs_kernels: per(t.kernels),
    tf_ops: per(t.ops),
    tensors_created_from_js: per(t.creates),
    tensors_deleted: per(t.deletes),
    wall_ms: per(t.wallMs),
    execute_op_ms: per(t.opMs),
    kernel_ms_estimate: per(Math.max(0, t.opMs - fixedMs)),
    create_delete_read_ms: per(t.createMs + t.deleteMs + t.readMs),
    javascript_ms: per(t.wallMs - nativeMs),
  };
});
type Row = (typeof rows)[number];
const total = rows.slice(1).reduce((s, r) => {
  const sum = { ...s };
  for (const k of Object.keys(r) as (keyof Row)[]) {
    if (k !== "phase") sum[k] = (s[k] as number) + (r[k] as number);
  }
  return sum;
}, { ...rows[0], phase: "step" as Phase | "step" });
const topOps = [...byOp.entries()].sort((p, q) => q[1].ms - p[1].ms).slice(0, 12)
  .map(([name, o]) => ({ op: name, per_step: per(o.count), ms_per_step: r1(per(o.ms)) }));

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));
console.error(
  `\n${arch} ${side} px batch ${batch}, ${backend.description}, ${steps} steps of ` +
    `${stepMs.toFixed(0)} ms; one op: ${bindingOpUs.toFixed(1)} µs in the binding, ` +
    `${tfjsOpUs.toFixed(1)} µs through tf.add; ${Math.round(faultsPerStep)} page faults a step ` +
    `(${(faultsPerStep * 4 / 1024).toFixed(0)} MiB of fresh pages); load average ${loadAverage()}`,
);
console.error(
  "| phase | tfjs kernels | TF ops | tensors made from JS | wall ms | in executeOp ms | " +
    "of which kernels (est.) ms | create/delete/read ms | JavaScript ms |",
);
console.error("|---|---|---|---|---|---|---|---|---|");
for (const r of [...rows, total]) {
  console.error(
    `| ${r.phase} | ${fmt(r.tfjs_kernels)} | ${fmt(r.tf_ops)} | ${
      fmt(r.tensors_created_from_js)
    } | ${fmt(r.wall_ms)} | ${fmt(r.execute_op_ms)} | ${fmt(r.kernel_ms_estimate)} | ${
      fmt(r.create_delete_read_ms)
    } | ${fmt(r.javascript_ms)} |`,
  );
}
console.error(
  "ops by time per step: " +
    topOps.map((o) => `${o.op} ${o.per_step}× ${o.ms_per_step} ms`).join(", "),
);
const topKernels = [...byKernel.entries()].sort((p, q) => q[1] - p[1]).slice(0, 16)
  .map(([name, n]) => `${name} ${per(n)}`);
console.error("tfjs kernels by count per step: " + topKernels.join(", "));
console.log(JSON.stringify({
  bench: "step-profile",
  model: arch,
  side,
  batch,
  device: backend.description,
  steps,
  step_ms: r1(stepMs),
  binding_op_us: r1(bindingOpUs),
  tfjs_op_us: r1(tfjsOpUs),
  page_faults_per_step: Math.round(faultsPerStep),
  load_average: loadAverage(),
  phases: [...rows, total].map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? r1(v) : v]))
  ),
  top_ops: topOps,
}));
Deno.exit(0);

function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

// Minor page faults of this process so far (fresh memory touched for the first time).
function minorFaults(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[7]);
  } catch {
    return NaN;
  }
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}
