/**
 * Adam over many weights at once (concatenated, in buckets) against Adam written out per weight,
 * the formula it replaced: step after step, with weight decay, with gradients summed over
 * micro-batches, after a checkpoint round trip, and when something else writes the weights
 * between steps, every weight must come out with the same bits — or, on native TensorFlow,
 * where one fused kernel makes the update (`backend/native_adam.ts`), within a few float32
 * rounding steps of them. No tensors are left behind.
 */
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { buckets } from "../../lib/backend/flat.ts";
import { Adam, type NamedVariable } from "../../lib/train/adam.ts";
import { GradientSum, optimizerStep } from "../../lib/train/step.ts";
import { assertEquals, assertTrue } from "../assert.ts";

await initBackend();
// native TensorFlow updates each bucket with one kernel whose rounding differs
const fused = tf.getBackend() === "tensorflow";

// small weights in one bucket, then one larger than a bucket, then one in a bucket of its own
const SHAPES = [[3, 3, 4, 8], [8], [8], [1, 1, 8, 5], [5], [7, 2], [2], [], [1000, 1100], [3, 1e5]];

/** Adam as it was written per weight (PyTorch's update, weight decay added to the gradient). */
class ReferenceAdam {
  step = 0;
  readonly m = new Map<string, tf.Tensor>();
  readonly v = new Map<string, tf.Tensor>();
  constructor(readonly lr: number, readonly decay: number) {}

  apply(weights: NamedVariable[], grads: tf.Tensor[]): void {
    this.step++;
    const c1 = 1 - 0.9 ** this.step, c2 = 1 - 0.999 ** this.step;
    const [b1, oneMinusB1, b2, oneMinusB2, decay, stepSize, eps] = [
      0.9,
      1 - 0.9,
      0.999,
      1 - 0.999,
      this.decay,
      this.lr * Math.sqrt(c2) / c1,
      1e-8 * Math.sqrt(c2),
    ].map((c) => tf.scalar(c));
    weights.forEach(({ name, variable }, i) => {
      tf.tidy(() => {
        const m0 = this.m.get(name) ?? tf.zerosLike(variable);
        const v0 = this.v.get(name) ?? tf.zerosLike(variable);
        const g = this.decay ? tf.add(grads[i], tf.mul(variable, decay)) : grads[i];
        const m = tf.add(tf.mul(m0, b1), tf.mul(g, oneMinusB1));
        const v = tf.add(tf.mul(v0, b2), tf.mul(tf.square(g), oneMinusB2));
        variable.assign(tf.sub(variable, tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), eps))));
        tf.dispose([this.m.get(name), this.v.get(name)].filter((t) => t) as tf.Tensor[]);
        this.m.set(name, tf.keep(m));
        this.v.set(name, tf.keep(v));
      });
    });
    tf.dispose([b1, oneMinusB1, b2, oneMinusB2, decay, stepSize, eps]);
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
  }
}

function makeWeights(seed: number): NamedVariable[] {
  return SHAPES.map((shape, i) => ({
    name: `layer${i}/w`,
    variable: tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 1, "float32", seed + i))),
  }));
}

function gradients(step: number, micro: number): tf.Tensor[] {
  return SHAPES.map((shape, i) =>
    tf.randomNormal(shape, 0, 0.1 * (i + 1), "float32", 1 + 1000 * step + 10 * micro + i)
  );
}

/**
 * The same bits, or on native TensorFlow every value within `tolerance` of the reference's
 * (relative to the larger of 1 and its size); a wrong update differs by far more.
 */
async function assertSameUpdate(
  ours: readonly tf.Tensor[],
  reference: readonly tf.Tensor[],
  what: string,
  tolerance = 1e-6,
): Promise<void> {
  if (!fused) {
    const raw = (ts: readonly tf.Tensor[]) =>
      Promise.all(ts.map(async (t) => Array.from(new Uint32Array((await t.data()).buffer))));
    assertEquals(await raw(ours), await raw(reference), what);
    return;
  }
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const [a, b] = [await ours[i].data(), await reference[i].data()];
    assertEquals(a.length, b.length, `${what}: size of tensor ${i}`);
    for (let k = 0; k < a.length; k++) {
      worst = Math.max(worst, Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(b[k])));
    }
  }
  assertTrue(worst <= tolerance, `${what}: differs by up to ${worst} (allowed ${tolerance})`);
}

Deno.test("flat Adam updates every weight as Adam per weight does (decay, accumulation, resume)", async () => {
  assertEquals(buckets(SHAPES.map((s) => tf.util.sizeFromShape(s))).length, 3);
  const before = tf.memory().numTensors;
  const ours = makeWeights(1), reference = makeWeights(1);
  let adam = new Adam({ learningRate: 1e-2, weightDecay: 1e-3 });
  const textbook = new ReferenceAdam(1e-2, 1e-3);
  for (let step = 0; step < 4; step++) {
    // two micro-batches summed, then divided by two: as the training loop accumulates
    const summed = new GradientSum();
    for (let micro = 0; micro < 2; micro++) summed.add(gradients(step, micro));
    const { sum, count } = summed.take()!;
    optimizerStep(adam, ours, sum, count);
    const [g0, g1] = [gradients(step, 0), gradients(step, 1)];
    const mean = tf.tidy(() => g0.map((g, i) => tf.div(tf.add(g, g1[i]), 2)));
    textbook.apply(reference, mean);
    tf.dispose([...g0, ...g1, ...mean]);
    if (step === 1) {
      // a checkpoint round trip into a new optimiser, as a resumed run does
      const state = adam.state();
      adam.dispose();
      adam = new Adam({ learningRate: 1e-2, weightDecay: 1e-3 });
      adam.load(state);
      tf.dispose(Object.values(state.moments));
    }
    if (step === 2) {
      // weights written from outside (a checkpoint loaded): the next step starts from them
      tf.tidy(() => {
        ours[3].variable.assign(tf.onesLike(ours[3].variable));
        reference[3].variable.assign(tf.onesLike(reference[3].variable));
      });
    }
    await assertSameUpdate(
      ours.map((w) => w.variable),
      reference.map((w) => w.variable),
      `weights after step ${step + 1}`,
    );
  }
  const state = adam.state();
  for (const { name } of ours) {
    await assertSameUpdate(
      [state.moments[`${name}/m`], state.moments[`${name}/v`]],
      [textbook.m.get(name)!, textbook.v.get(name)!],
      `${name} moments`,
    );
  }
  assertEquals(Object.keys(state.moments).length, 2 * SHAPES.length);
  tf.dispose(Object.values(state.moments));
  adam.dispose();
  textbook.dispose();
  tf.dispose([...ours, ...reference].map((w) => w.variable));
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("flat Adam: per-weight gradients (apply) equal a flat gradient (applyFlat)", async () => {
  const a = makeWeights(7), b = makeWeights(7);
  const adamA = new Adam({ learningRate: 1e-3 }), adamB = new Adam({ learningRate: 1e-3 });
  for (let step = 0; step < 2; step++) {
    const g = gradients(step, 0);
    adamA.apply(a, g);
    const summed = new GradientSum();
    summed.add(g.map((t) => t.clone()));
    const { sum } = summed.take()!;
    adamB.applyFlat(b, sum);
    tf.dispose([...g, sum]);
  }
  await assertSameUpdate(
    a.map((w) => w.variable),
    b.map((w) => w.variable),
    "apply vs applyFlat",
    0,
  );
  adamA.dispose();
  adamB.dispose();
  tf.dispose([...a, ...b].map((w) => w.variable));
});

Deno.test("flat Adam: a moment of the wrong shape is an error naming the weight", () => {
  const weights = makeWeights(3), grads = gradients(0, 0), wrong = tf.zeros([9]);
  const adam = new Adam({ learningRate: 1e-3 });
  adam.load({ step: 1, learningRate: 1e-3, moments: { "layer1/w/m": wrong } });
  let message = "";
  try {
    adam.apply(weights, grads);
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message.includes("optimizer state for layer1/w has shape [9]"), true, message);
  adam.dispose();
  tf.dispose([...grads, wrong, ...weights.map((w) => w.variable)]);
});

Deno.test("flat Adam: an update leaves the tensors read before it as they were", async () => {
  // on native TensorFlow the update is in place: a tensor still sharing the buffer (the weights
  // of the last step, a copy kept for a checkpoint) must be copied first, not overwritten
  const weights = makeWeights(11);
  const adam = new Adam({ learningRate: 1e-1 });
  const grads0 = gradients(0, 0);
  adam.apply(weights, grads0);
  const kept = weights.map((w) => w.variable.clone());
  const keptValues = await Promise.all(kept.map(async (t) => Array.from(await t.data())));
  const grads1 = gradients(1, 0);
  adam.apply(weights, grads1);
  assertEquals(await Promise.all(kept.map(async (t) => Array.from(await t.data()))), keptValues);
  const moved = (await weights[0].variable.data())[0] !== keptValues[0][0];
  assertTrue(moved, "the second update changed nothing");
  adam.dispose();
  tf.dispose([...grads0, ...grads1, ...kept, ...weights.map((w) => w.variable)]);
});
