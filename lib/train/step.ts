/**
 * One training step, as `trainModel` runs it and the benchmarks time it: the loss and the
 * gradients of one (micro-)batch, summed over micro-batches, then one Adam update.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Adam, type NamedVariable } from "./adam.ts";
import { binaryCrossEntropy } from "./loss.ts";
import { buckets, concatBuckets } from "../backend/flat.ts";
import { applyMovingAverages, discardMovingAverages } from "../models/batchnorm.ts";

/**
 * The loss of `model` on (x, y) in training mode and its gradient for each of `variables`
 * (same order); then the batch-norm layers' moving averages are written. `onPhase` is told
 * when the backward pass and the moving averages begin (the step profile times the phases).
 */
export function computeGradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  positiveWeights: readonly number[] | undefined,
  variables: readonly tf.Variable[],
  onPhase?: (phase: "backward" | "moving averages") => void,
): { value: tf.Scalar; grads: tf.Tensor[] } {
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    result = tf.variableGrads(() => {
      const p = model.apply(x, { training: true }) as tf.Tensor;
      const loss = binaryCrossEntropy(p, y, positiveWeights);
      onPhase?.("backward");
      return loss;
    }, variables as tf.Variable[]);
  } catch (e) {
    discardMovingAverages(); // a failed step updates nothing (the backend may be unusable)
    throw e;
  }
  const { value, grads } = result;
  onPhase?.("moving averages");
  applyMovingAverages();
  return { value, grads: variables.map((v) => grads[v.name]) };
}

/**
 * Gradients summed over the micro-batches of one step (gradient accumulation), held
 * concatenated bucket by bucket (see `backend/flat.ts`), as Adam takes them: one add per bucket
 * and micro-batch, not one per weight.
 */
export class GradientSum {
  #sum: tf.Tensor1D[] | undefined;
  #count = 0;

  /** Micro-batches added since the last {@link take}. */
  get count(): number {
    return this.#count;
  }

  /** Add one micro-batch's gradients (takes ownership of them). */
  add(grads: tf.Tensor[]): void {
    const flat = concatBuckets(grads, buckets(grads.map((g) => g.size)));
    tf.dispose(grads);
    if (!this.#sum) this.#sum = flat;
    else {
      const next = this.#sum.map((s, i) => tf.add(s, flat[i]) as tf.Tensor1D);
      tf.dispose([...this.#sum, ...flat]);
      this.#sum = next;
    }
    this.#count++;
  }

  /** The sums and how many micro-batches they hold; the caller owns the tensors. */
  take(): { sum: tf.Tensor1D[]; count: number } | undefined {
    const sum = this.#sum, count = this.#count;
    this.#sum = undefined;
    this.#count = 0;
    return sum ? { sum, count } : undefined;
  }

  /** Free a sum not taken (an interrupted epoch). */
  dispose(): void {
    tf.dispose(this.#sum ?? []);
    this.#sum = undefined;
    this.#count = 0;
  }
}

/**
 * One Adam update from gradients summed over `count` micro-batches (flat, as
 * {@link GradientSum} holds them): the mean gradient is their sum divided by `count`.
 * Frees `summed`.
 */
export function optimizerStep(
  adam: Adam,
  weights: readonly NamedVariable[],
  summed: tf.Tensor1D[],
  count: number,
): void {
  try {
    adam.applyFlat(weights, summed, count);
  } finally {
    tf.dispose(summed);
  }
}
