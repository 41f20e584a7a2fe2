/**
 * Adam over many weights at once (concatenated, in buckets) against Adam written out per weight,
 * the formula it replaced: every weight must come out with the same bits, step after step, with
 * weight decay, with gradients summed over micro-batches, after a checkpoint round trip, and
 * when something else writes the weights between steps. No tensors are left behind.
 */
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { buckets } from "../../lib/backend/flat.ts";
import { Adam, type NamedVariable } from "../../lib/train/adam.ts";
import { GradientSum, optimizerStep } from "../../lib/train/step.ts";
import { assertEquals } from "../assert.ts";

await initBackend();

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

async function bits(weights: NamedVariable[]): Promise<number[][]> {
  return await Promise.all(
    weights.map(async (w) => Array.from(new Uint32Array((await w.variable.data()).buffer))),
  );
}

Deno.test("flat Adam gives every weight the bits of Adam per weight (decay, accumulation, resume)", async () => {
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
    assertEquals(await bits(ours), await bits(reference), `weights after step ${step + 1}`);
  }
  const state = adam.state();
  for (const { name } of ours) {
    const m = Array.from(await state.moments[`${name}/m`].data());
    assertEquals(m, Array.from(await textbook.m.get(name)!.data()), `${name}/m`);
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
  assertEquals(await bits(a), await bits(b));
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
