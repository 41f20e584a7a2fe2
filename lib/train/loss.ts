/**
 * The study's loss: binary cross-entropy for each output (each finding is its own yes/no
 * question), summed over outputs and averaged over images. Optional weights on the positive
 * term counter class imbalance without resampling.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Probabilities are clipped away from 0 and 1 so that log stays finite. */
const EPSILON = 1e-7;

/**
 * Σ_c −(w_c · y_c · log p_c + (1 − y_c) · log(1 − p_c)), averaged over the batch.
 * @param probabilities sigmoid outputs [n, classes]
 * @param targets 0/1 labels [n, classes]
 * @param positiveWeights w_c per class (default 1)
 */
export function binaryCrossEntropy(
  probabilities: tf.Tensor,
  targets: tf.Tensor,
  positiveWeights?: readonly number[],
): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
    let positive = tf.mul(targets, tf.log(p));
    if (positiveWeights) positive = tf.mul(positive, tf.tensor1d([...positiveWeights]));
    const negative = tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)));
    const perImage = tf.neg(tf.sum(tf.add(positive, negative), -1));
    return tf.mean(perImage) as tf.Scalar;
  });
}
