/**
 * What the architectures share: a backbone is an input and the last convolutional feature maps;
 * a classifier puts global average pooling and one dense layer on top, as the study did.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelName } from "../data/normalise.ts";
import { deriveSeed } from "../rng.ts";

/** Keras `preprocess_input` modes (see `data/normalise.ts`). */
export type Preprocessing = "torch" | "caffe";

/** A convolutional feature extractor, not yet a model. */
export interface Backbone {
  readonly name: ModelName;
  readonly input: tf.SymbolicTensor;
  /** The last conv block's activations, after ReLU: [side/32, side/32, channels]. */
  readonly features: tf.SymbolicTensor;
  readonly preprocessing: Preprocessing;
}

/** Name of the head's layers; the CAM code finds the classifier by it. */
export const HEAD_POOL = "avg_pool";
/** Name of the classifier layer of our heads. */
export const HEAD_DENSE = "predictions";

/**
 * The head of the study: global average pooling, then dense with `activation`, initialised as
 * PyTorch's `nn.Linear` (the study's code): weights and bias uniform in ±1/√(inputs). Keras'
 * Glorot default is 2.4× wider at 1,024 inputs; on pretrained features it starts the summed
 * 14-output loss near 10 instead of 1–2, and the first large gradients disturb the backbone.
 */
export function classifierHead(
  features: tf.SymbolicTensor,
  units: number,
  options: { activation?: "sigmoid" | "softmax"; name?: string; seed?: number } = {},
): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: HEAD_POOL }).apply(
    features,
  ) as tf.SymbolicTensor;
  const name = options.name ?? HEAD_DENSE;
  const inputs = features.shape[features.shape.length - 1]!;
  return tf.layers.dense({
    units,
    activation: options.activation ?? "sigmoid",
    name,
    kernelInitializer: linearInitializer(inputs, deriveSeed(options.seed ?? 0, name)),
    biasInitializer: linearInitializer(inputs, deriveSeed(options.seed ?? 0, name, "bias")),
  }).apply(pooled) as tf.SymbolicTensor;
}

/** PyTorch's `nn.Linear` initialisation: uniform in ±1/√inputs, seeded. */
export function linearInitializer(
  inputs: number,
  seed: number,
): ReturnType<typeof tf.initializers.randomUniform> {
  const bound = 1 / Math.sqrt(inputs);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed % 2 ** 31 });
}
