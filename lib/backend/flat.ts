/**
 * Many tensors as one: concatenated into a single 1-D tensor and split back. Elementwise math
 * on the concatenation gives each element the same bits as the same math on its own tensor,
 * in a handful of ops instead of a handful per tensor — on native TensorFlow each op is a call
 * from JavaScript with a fixed cost, which for the hundreds of small weight tensors of a
 * network outweighs the arithmetic.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The tensors, each read in row-major order, one after another, as one 1-D tensor. */
export function concatFlat(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tensors.map((t) => (t.rank === 1 ? t : tf.reshape(t, [t.size])));
    return (flat.length === 1 ? flat[0].clone() : tf.concat(flat, 0)) as tf.Tensor1D;
  });
}

/** The inverse of {@link concatFlat}: pieces of `flat` with the given shapes. */
export function splitFlat(flat: tf.Tensor1D, shapes: readonly number[][]): tf.Tensor[] {
  return tf.tidy(() => {
    const sizes = shapes.map((s) => tf.util.sizeFromShape(s));
    const pieces = shapes.length === 1 ? [flat.clone()] : tf.split(flat, sizes, 0);
    return pieces.map((p, i) => (shapes[i].length === 1 ? p : tf.reshape(p, shapes[i])));
  });
}
