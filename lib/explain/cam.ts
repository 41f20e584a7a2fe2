/**
 * Class activation maps (Zhou et al. 2016), exactly as the study defines them: for class c, with
 * the last convolutional block's activations f_k (after ReLU, S×S each) and the classifier's
 * weights w_{c,k}, the map is
 *
 *   M_c = Σ_k w_{c,k} · f_k
 *
 * — the dense layer applied at every position instead of after pooling. Upsampled to the image
 * and normalised, it shows where the evidence for class c lies.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HEAD_DENSE } from "../models/backbone.ts";
import { featureModel } from "../models/build.ts";

/** Raw CAMs [n, S, S] of output `c` for a batch of model inputs [n, side, side, 3]. */
export function classActivationMaps(model: tf.LayersModel, x: tf.Tensor4D, c = 0): tf.Tensor3D {
  return tf.tidy(() => {
    const f = featureModel(model).predict(x) as tf.Tensor4D; // [n, S, S, K]
    const [kernel] = model.getLayer(HEAD_DENSE).getWeights(); // [K, classes]
    const w = tf.slice(kernel, [0, c], [-1, 1]); // w_{c,·} as [K, 1]
    const [n, s, , k] = f.shape;
    return tf.reshape(tf.matMul(tf.reshape(f, [n * s * s, k]), w), [n, s, s]);
  });
}

/**
 * Maps resized to `side`×`side` (bilinear) and rectified (only evidence *for* the class), one
 * Float32Array per image. `normalise`: "max" scales each map to [0, 1] for display; "sum" makes
 * each map sum to 1, so a region's share of the map is its share of the evidence.
 */
export function upsampleMaps(
  maps: tf.Tensor3D,
  side: number,
  normalise: "max" | "sum" = "max",
): Float32Array[] {
  const up = tf.tidy(() => {
    const [n, s] = maps.shape;
    const resized = tf.image.resizeBilinear(tf.reshape(maps, [n, s, s, 1]) as tf.Tensor4D, [
      side,
      side,
    ], true);
    return tf.relu(tf.reshape(resized, [n, side * side]));
  });
  const values = up.arraySync() as number[][];
  up.dispose();
  return values.map((row) => {
    const out = Float32Array.from(row);
    const scale = normalise === "max" ? Math.max(...out) : out.reduce((a, b) => a + b, 0);
    if (scale > 0) { for (let i = 0; i < out.length; i++) out[i] /= scale; }
    return out;
  });
}
