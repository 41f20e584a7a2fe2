/**
 * Images per second of one model: inference and a training step (Adam on summed binary
 * cross-entropy, as the training loop does), the median of timed steps after a warm-up step
 * (operator creation, pipeline compilation, heap growth). Each step ends by reading its result
 * back, asynchronously: WebGPU has no synchronous read. Used by `bench/model.ts` and
 * `bench/gpu_bench.ts`.
 * @module
 */
import { tf } from "../lib/backend/mod.ts";
import { Adam } from "../lib/train/adam.ts";
import { binaryCrossEntropy } from "../lib/train/loss.ts";

/** Seconds per step (median) and images per second. */
export interface ModelSpeed {
  readonly inferSeconds: number;
  readonly trainSeconds: number;
  readonly inferImagesPerSecond: number;
  readonly trainImagesPerSecond: number;
}

/** Time `model` on a random batch of `batch` images of `side` px and 14 outputs. */
export async function modelSpeed(
  model: tf.LayersModel,
  side: number,
  batch: number,
  runs: { infer: number; train: number } = { infer: 5, train: 3 },
): Promise<ModelSpeed> {
  const outputs = model.outputs[0].shape[1]!;
  const x = tf.randomNormal([batch, side, side, 3], 0, 1, "float32", 1);
  const y = tf.tidy(() =>
    tf.cast(tf.greater(tf.randomUniform([batch, outputs], 0, 1, "float32", 2), 0.8), "float32")
  );
  const weights = model.trainableWeights.map((w) => ({
    name: w.originalName,
    variable: w.read() as tf.Variable,
  }));
  const adam = new Adam({ learningRate: 1e-4 });
  const inferStep = async () => {
    const out = model.predict(x) as tf.Tensor;
    await out.data();
    out.dispose();
  };
  const trainStep = async () => {
    const { value, grads } = tf.variableGrads(
      () => binaryCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
      weights.map((w) => w.variable),
    );
    adam.apply(weights, weights.map((w) => grads[w.variable.name]));
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  try {
    const inferSeconds = await median(inferStep, runs.infer);
    const trainSeconds = await median(trainStep, runs.train);
    return {
      inferSeconds,
      trainSeconds,
      inferImagesPerSecond: batch / inferSeconds,
      trainImagesPerSecond: batch / trainSeconds,
    };
  } finally {
    adam.dispose();
    tf.dispose([x, y]);
  }
}

/** One training step of `model` on a random batch, for profiling; resolves once read back. */
export function trainStepOnce(model: tf.LayersModel, side: number, batch: number) {
  const outputs = model.outputs[0].shape[1]!;
  return async () => {
    const x = tf.randomNormal([batch, side, side, 3], 0, 1, "float32", 1);
    const y = tf.zeros([batch, outputs]);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => binaryCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
      variables,
    );
    await value.data();
    tf.dispose([x, y, value, ...Object.values(grads)]);
  };
}

async function median(step: () => Promise<void>, runs: number): Promise<number> {
  await step(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] / 1000;
}
