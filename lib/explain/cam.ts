/**
 * Class activation maps (Zhou et al. 2016), exactly as the study defines them: for class c, with
 * the last convolutional block's activations f_k (after ReLU, S×S each) and the classifier's
 * weights w_{c,k}, the map is
 *
 *   M_c = Σ_k w_{c,k} · f_k
 *
 * — the dense layer applied at every position instead of after pooling. Upsampled to the image
 * and normalised, it shows where the evidence for class c lies.
 *
 * Only TF.js and the head's layer names: the report's in-browser page computes its maps with
 * this same module.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HEAD_DENSE, HEAD_POOL } from "../models/backbone.ts";

/**
 * The classifier with two outputs: the last block's feature maps f [n, S, S, K] (the input of
 * the pooling layer) and its scores — one forward pass gives a CAM and the score it explains.
 */
export function camModel(model: tf.LayersModel): tf.LayersModel {
  const features = model.getLayer(HEAD_POOL).input as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: [features, model.outputs[0]] });
}

/** Raw CAMs [n, S, S] of output `c` from feature maps [n, S, S, K] and the head's weights. */
export function camsFromFeatures(model: tf.LayersModel, f: tf.Tensor4D, c = 0): tf.Tensor3D {
  return tf.tidy(() => {
    const [kernel] = model.getLayer(HEAD_DENSE).getWeights(); // [K, classes]
    const w = tf.slice(kernel, [0, c], [-1, 1]); // w_{c,·} as [K, 1]
    const [n, s, , k] = f.shape;
    return tf.reshape(tf.matMul(tf.reshape(f, [n * s * s, k]), w), [n, s, s]);
  });
}

/** Raw CAMs [n, S, S] of output `c` for a batch of model inputs [n, side, side, 3]. */
export function classActivationMaps(model: tf.LayersModel, x: tf.Tensor4D, c = 0): tf.Tensor3D {
  return tf.tidy(() => {
    const [f] = camModel(model).predict(x) as tf.Tensor[];
    return camsFromFeatures(model, f as tf.Tensor4D, c);
  });
}

/**
 * Maps resized to `side`×`side` (bilinear, corners aligned) and rectified — only evidence *for*
 * the class — as a tensor [n, side·side].
 */
export function upsampledMaps(maps: tf.Tensor3D, side: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, s] = maps.shape;
    const square = tf.reshape(maps, [n, s, s, 1]) as tf.Tensor4D;
    const resized = tf.image.resizeBilinear(square, [side, side], true);
    return tf.relu(tf.reshape(resized, [n, side * side]));
  });
}

/**
 * One upsampled map normalised in place: "max" scales it to [0, 1] for display; "sum" makes it
 * sum to 1, so a region's share of the map is its share of the evidence.
 */
export function normaliseMap(map: Float32Array, normalise: "max" | "sum"): Float32Array {
  let scale = 0;
  for (const v of map) scale = normalise === "max" ? Math.max(scale, v) : scale + v;
  if (scale > 0) { for (let i = 0; i < map.length; i++) map[i] /= scale; }
  return map;
}

/**
 * {@link upsampledMaps}, normalised ({@link normaliseMap}), one Float32Array per image. Read back
 * asynchronously: a GPU backend (WebGPU under Deno) has no synchronous read.
 */
export async function upsampleMaps(
  maps: tf.Tensor3D,
  side: number,
  normalise: "max" | "sum" = "max",
): Promise<Float32Array[]> {
  const up = upsampledMaps(maps, side);
  const values = await up.array();
  up.dispose();
  return values.map((row) => normaliseMap(Float32Array.from(row), normalise));
}
