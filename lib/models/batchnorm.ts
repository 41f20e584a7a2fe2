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
    if (!training || this.statistics === "moving") {
      return tf.tidy(() => {
        const scale = tf.mul(f.gamma.read(), tf.rsqrt(tf.add(f.movingVariance.read(), f.epsilon)));
        const shift = tf.sub(f.beta.read(), tf.mul(f.movingMean.read(), scale));
        return tf.add(tf.mul(x, scale), shift);
      });
    }
    const { y, mean, unbiasedVariance } = trainingForward(x, f);
    // Moving averages as Keras keeps them (unbiased variance, as TensorFlow's fused kernel).
    tf.tidy(() => {
      const m = f.momentum;
      f.movingMean.write(tf.add(tf.mul(f.movingMean.read(), m), tf.mul(mean, 1 - m)));
      f.movingVariance.write(
        tf.add(tf.mul(f.movingVariance.read(), m), tf.mul(unbiasedVariance, 1 - m)),
      );
    });
    tf.dispose([mean, unbiasedVariance]);
    return y;
  }
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
