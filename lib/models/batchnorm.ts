/**
 * Batch normalisation that trains fast on every backend and saves as the standard Keras layer.
 *
 * The stock layer computes batch statistics with `moments` and normalises with the fused
 * kernel, whose gradient tiles the per-channel factors to the full image size and sums over
 * transposed axes — most of the backward time of a DenseNet on wasm. Here the training path is
 * one custom op with the closed-form gradient
 *   x̂ = (x − μ)/σ,  dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/(σ·m) · (m·dy − dβ − x̂·dγ)
 * (m values per channel), and the inference path is a plain affine map x·a + b. The class
 * keeps the name `BatchNormalization`, so saved models load as the standard layer anywhere.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { activeNativeBackend, fusedBatchNormTraining } from "../backend/native_ops.ts";
import { concatFlat, splitFlat } from "../backend/flat.ts";

/**
 * Momentum of the moving statistics: 0.9, which is PyTorch's default (its `momentum=0.1` is the
 * weight of the new batch) and so the study's. Keras' 0.99 suits runs of hundreds of thousands
 * of steps; over the few hundred steps of a small run it leaves the moving statistics mostly at
 * their initial values, and inference with them degrades or collapses a network trained from
 * scratch.
 */
export const BATCH_NORM_MOMENTUM = 0.9;

/** Which statistics a batch-norm layer normalises with while training. */
export type BatchNormStatistics = "batch" | "moving";

// tfjs-layers does not export its BatchNormalization class; take it from an instance.
const StockBatchNorm = Object.getPrototypeOf(tf.layers.batchNormalization({}))
  .constructor as new (args: unknown) => tf.layers.Layer;

interface StockFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** Keras BatchNormalization over the last axis, with a fast training path. */
export class BatchNorm extends StockBatchNorm {
  static className = "BatchNormalization";
  /**
   * `batch` (default): normalise with each batch's statistics and update the moving ones, as
   * Keras does in training. `moving`: keep the stored statistics fixed and train only γ and
   * β — the usual choice when fine-tuning with micro-batches too small for good statistics.
   */
  statistics: BatchNormStatistics = "batch";

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const f = this as unknown as StockFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (f.axis !== -1 && f.axis !== x.rank - 1) return super.call(inputs, kwargs) as tf.Tensor;
    const training = kwargs["training"] === true;
    if (pending.has(this)) applyMovingAverages();
    if (!training || this.statistics === "moving") {
      if (recordingGradients()) {
        return tf.tidy(() => {
          const { scale, shift } = affine(f);
          return tf.add(tf.mul(x, scale), shift);
        });
      }
      const { scale, shift } = this.#cachedAffine(f);
      return tf.tidy(() => tf.add(tf.mul(x, scale), shift));
    }
    const { y, mean, unbiasedVariance } = trainingForward(x, f);
    deferMovingAverages(this, f, mean, unbiasedVariance);
    return y;
  }

  // The per-channel scale and shift of inference, kept while the four weights they come from
  // are unchanged (they are the same for every batch of a validation pass or a prediction).
  #affine: { key: tf.DataId[]; scale: tf.Tensor; shift: tf.Tensor } | undefined;

  #cachedAffine(f: StockFields): { scale: tf.Tensor; shift: tf.Tensor } {
    const key = [f.gamma, f.beta, f.movingMean, f.movingVariance].map((v) => v.read().dataId);
    if (!this.#affine || this.#affine.key.some((id, i) => id !== key[i])) {
      this.#dropAffine();
      const { scale, shift } = tf.tidy(() => affine(f));
      this.#affine = { key, scale: tf.keep(scale), shift: tf.keep(shift) };
    }
    return this.#affine;
  }

  #dropAffine(): void {
    if (this.#affine) tf.dispose([this.#affine.scale, this.#affine.shift]);
    this.#affine = undefined;
  }

  protected override disposeWeights(): number {
    this.#dropAffine();
    return super.disposeWeights();
  }
}

// Inference as an affine map per channel: x·scale + shift.
function affine(f: StockFields): { scale: tf.Tensor; shift: tf.Tensor } {
  const scale = tf.mul(f.gamma.read(), tf.rsqrt(tf.add(f.movingVariance.read(), f.epsilon)));
  const shift = tf.sub(f.beta.read(), tf.mul(f.movingMean.read(), scale));
  return { scale, shift };
}

function recordingGradients(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

// Moving averages are updated as Keras does (unbiased variance, as TensorFlow's fused kernel
// reports it): moving · momentum + batch · (1 − momentum). Six small ops per layer, which for
// 121 layers were most of the ops of a DenseNet121 forward pass; so the batch statistics wait
// here, and all layers are updated at once, on their concatenation (the same arithmetic per
// element, so the same bits), when the training step ends (`applyMovingAverages`), before any
// of these layers runs again, or at the latest when the current synchronous job ends.
interface Pending {
  readonly fields: StockFields;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  // the moving statistics the update starts from: one written meanwhile (weights loaded)
  // supersedes the update, as it would have overwritten it
  readonly movingMean: tf.DataId;
  readonly movingVariance: tf.DataId;
}
const pending = new Map<BatchNorm, Pending>();

function deferMovingAverages(
  layer: BatchNorm,
  fields: StockFields,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
): void {
  if (pending.has(layer)) applyMovingAverages();
  if (pending.size === 0) queueMicrotask(applyLeftOver);
  pending.set(layer, {
    fields,
    mean: tf.keep(mean),
    variance: tf.keep(variance),
    movingMean: fields.movingMean.read().dataId,
    movingVariance: fields.movingVariance.read().dataId,
  });
}

// The fallback at the end of a job, for callers other than the training step: an update that
// fails there (the backend died in the pass that made it, say) is reported, not thrown into
// the event loop.
function applyLeftOver(): void {
  try {
    applyMovingAverages();
  } catch (e) {
    discardMovingAverages();
    console.error(
      `batch norm: moving averages not updated (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/**
 * Drop the moving-average updates not yet applied, running no op (for a training pass that
 * failed: after an out-of-memory abort the backend can run nothing more).
 */
export function discardMovingAverages(): void {
  for (const u of pending.values()) tf.dispose([u.mean, u.variance]);
  pending.clear();
}

/**
 * Write the moving averages of every batch-norm layer that ran in training mode since the last
 * call, all at once. The training step calls it after each forward and backward pass; a layer
 * also applies them before it runs again, and they are applied when the current synchronous
 * job ends, so no caller has to.
 */
export function applyMovingAverages(): void {
  if (pending.size === 0) return;
  const updates = [...pending.values()];
  pending.clear();
  const unchanged = (v: tf.LayerVariable, dataId: tf.DataId) =>
    !(v as unknown as { val: tf.Tensor }).val.isDisposed && v.read().dataId === dataId;
  const live = updates.filter((u) =>
    unchanged(u.fields.movingMean, u.movingMean) &&
    unchanged(u.fields.movingVariance, u.movingVariance)
  );
  const momenta = [...new Set(live.map((u) => u.fields.momentum))];
  for (const m of momenta) {
    const group = live.filter((u) => u.fields.momentum === m);
    tf.tidy(() => {
      const update = (moving: tf.Tensor[], batch: tf.Tensor[]) =>
        splitFlat(
          tf.add(tf.mul(concatFlat(moving), m), tf.mul(concatFlat(batch), 1 - m)) as tf.Tensor1D,
          moving.map((t) => t.shape),
        );
      const means = update(group.map((u) => u.fields.movingMean.read()), group.map((u) => u.mean));
      const variances = update(
        group.map((u) => u.fields.movingVariance.read()),
        group.map((u) => u.variance),
      );
      group.forEach((u, i) => {
        u.fields.movingMean.write(means[i]);
        u.fields.movingVariance.write(variances[i]);
      });
    });
  }
  for (const u of updates) tf.dispose([u.mean, u.variance]);
}

// Native TensorFlow has the whole layer as one kernel; elsewhere the closed-form custom op.
function trainingForward(
  x: tf.Tensor,
  f: StockFields,
): { y: tf.Tensor; mean: tf.Tensor1D; unbiasedVariance: tf.Tensor1D } {
  const gamma = f.gamma.read() as tf.Tensor1D, beta = f.beta.read() as tf.Tensor1D;
  if (x.rank === 4 && activeNativeBackend()) {
    return fusedBatchNormTraining(x as tf.Tensor4D, gamma, beta, f.epsilon);
  }
  const { y, mean, variance } = batchNormTraining(x, gamma, beta, f.epsilon);
  const count = x.size / x.shape[x.rank - 1];
  const unbiasedVariance = tf.tidy(() => tf.mul(variance, count / Math.max(count - 1, 1)));
  variance.dispose();
  return { y, mean, unbiasedVariance: unbiasedVariance as tf.Tensor1D };
}

// deserialising "BatchNormalization" (a saved model, a weights check) now builds this class
tf.serialization.registerClass(
  BatchNorm as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>,
);

/**
 * Normalise `x` over all axes but the last with its own mean and variance; differentiable in
 * x, γ and β. Returns the output and the batch statistics (which carry no gradient).
 * Written for few passes over the data (each op is one): forward y = x·a + b with per-channel
 * a = γ/σ, b = β − μ·a; backward dx = dy·a + x·p + q with per-channel p, q from the two sums.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const m = x.size / x.shape[x.rank - 1];
  let mean!: tf.Tensor1D, variance!: tf.Tensor1D;
  const op = tf.customGrad((xIn, g, b, save) => {
    const [xt, gt, bt] = [xIn, g, b] as tf.Tensor[];
    mean = tf.keep(tf.mean(xt, axes) as tf.Tensor1D);
    variance = tf.keep(tf.mean(tf.squaredDifference(xt, mean), axes) as tf.Tensor1D);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const scale = tf.mul(gt, invStd);
    (save as tf.GradSaveFunc)([xt, mean, invStd, gt]);
    return {
      value: tf.add(tf.mul(xt, scale), tf.sub(bt, tf.mul(mean, scale))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mu, inv, gs] = saved;
        const dBeta = tf.sum(dy, axes);
        // Σ dy·x̂ = (Σ dy·x − μ·Σ dy)/σ
        const dGamma = tf.mul(tf.sub(tf.sum(tf.mul(dy, xs), axes), tf.mul(mu, dBeta)), inv);
        const a = tf.mul(gs, inv);
        const p = tf.div(tf.mul(tf.neg(a), tf.mul(inv, dGamma)), m);
        const q = tf.sub(tf.div(tf.mul(tf.neg(a), dBeta), m), tf.mul(p, mu));
        const dx = tf.add(tf.mul(dy, a), tf.add(tf.mul(xs, p), q));
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta);
  return { y, mean, variance };
}

/** Set how every batch-norm layer of a model trains (see {@link BatchNorm.statistics}). */
export function setBatchNormStatistics(model: tf.LayersModel, mode: BatchNormStatistics): void {
  for (const layer of model.layers) {
    if (layer instanceof BatchNorm) layer.statistics = mode;
  }
}
