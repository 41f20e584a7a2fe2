/**
 * Many tensors as one: concatenated into a single 1-D tensor and split back. Elementwise math
 * on the concatenation gives each element the same bits as the same math on its own tensor,
 * in a handful of ops instead of a handful per tensor — on native TensorFlow each op is a call
 * from JavaScript with a fixed cost, which for the hundreds of small weight tensors of a
 * network outweighs the arithmetic. Not all of them as one, though: a chain of elementwise ops
 * over one concatenation of all of ResNet50's 25 million weights streams 100 MB through memory
 * per op and touches fresh pages for every result; in buckets of about a million values (4 MB)
 * each chain stays in cache and reuses memory, and the op count stays small.
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

/** Values per bucket (4 MB of float32); a tensor larger than this is a bucket of its own. */
const BUCKET_SIZE = 2 ** 20;

/**
 * Consecutive tensors grouped into buckets of at most `maxSize` values (a larger tensor alone),
 * as [start, end) index ranges. The same sizes always give the same buckets.
 */
export function buckets(sizes: readonly number[], maxSize = BUCKET_SIZE): [number, number][] {
  const out: [number, number][] = [];
  let start = 0, total = 0;
  sizes.forEach((size, i) => {
    if (i > start && total + size > maxSize) {
      out.push([start, i]);
      start = i;
      total = 0;
    }
    total += size;
  });
  if (sizes.length > start) out.push([start, sizes.length]);
  return out;
}

/** {@link concatFlat} bucket by bucket (see {@link buckets}). */
export function concatBuckets(
  tensors: readonly tf.Tensor[],
  ranges: readonly [number, number][],
): tf.Tensor1D[] {
  return ranges.map(([start, end]) => concatFlat(tensors.slice(start, end)));
}
