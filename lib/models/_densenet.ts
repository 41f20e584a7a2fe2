/**
 * DenseNet121 (Huang et al. 2017) with the Keras topology and layer names, so that the Keras
 * ImageNet weights load by name. Every layer sees the concatenation of all earlier feature maps
 * in its block; four blocks of 6, 12, 24 and 16 layers, growth rate 32, joined by transitions
 * that halve the channels and the size.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_MOMENTUM, BatchNorm } from "./batchnorm.ts";
import { seededConv } from "./_conv.ts";
import type { Backbone } from "./backbone.ts";

const GROWTH = 32;
const BLOCKS = [6, 12, 24, 16] as const;
const EPSILON = 1.001e-5;

type T = tf.SymbolicTensor;

/**
 * The DenseNet121 feature extractor for `side`×`side` RGB input: everything up to the last
 * batch norm, then a ReLU (as in torchvision's DenseNet and current Keras), whose output —
 * 1024 maps of side/32 — is what CAM weighs. Random weights are seeded by `seed` and layer name.
 */
export function denseNet121(side: number, seed = 0): Backbone {
  const conv: Conv = (filters, kernelSize, strides, name, padding) =>
    seededConv(seed, { filters, kernelSize, strides, name, padding, useBias: false });
  const input = tf.input({ shape: [side, side, 3], name: "input_1" });
  let x: T = apply(tf.layers.zeroPadding2d({ padding: 3, name: "zero_padding2d_1" }), input);
  x = apply(conv(64, 7, 2, "conv1/conv", "valid"), x);
  x = apply(bn("conv1/bn"), x);
  x = apply(relu("conv1/relu"), x);
  x = apply(tf.layers.zeroPadding2d({ padding: 1, name: "zero_padding2d_2" }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: "pool1" }), x);
  BLOCKS.forEach((layers, b) => {
    const stage = b + 2;
    for (let i = 1; i <= layers; i++) x = convBlock(x, `conv${stage}_block${i}`, conv);
    if (stage < 5) x = transition(x, `pool${stage}`, conv);
  });
  x = apply(bn("bn"), x);
  const features = apply(relu("relu"), x);
  return { name: "densenet121", input, features, preprocessing: "torch" };
}

// BN → ReLU → 1×1 conv (4·growth) → BN → ReLU → 3×3 conv (growth), concatenated to the input.
function convBlock(x: T, name: string, conv: Conv): T {
  let y = apply(bn(`${name}_0_bn`), x);
  y = apply(relu(`${name}_0_relu`), y);
  y = apply(conv(4 * GROWTH, 1, 1, `${name}_1_conv`), y);
  y = apply(bn(`${name}_1_bn`), y);
  y = apply(relu(`${name}_1_relu`), y);
  y = apply(conv(GROWTH, 3, 1, `${name}_2_conv`, "same"), y);
  return apply(tf.layers.concatenate({ axis: 3, name: `${name}_concat` }), [x, y]);
}

// BN → ReLU → 1×1 conv halving the channels → 2×2 average pooling.
function transition(x: T, name: string, conv: Conv): T {
  const channels = x.shape[3]!;
  let y = apply(bn(`${name}_bn`), x);
  y = apply(relu(`${name}_relu`), y);
  y = apply(conv(Math.floor(channels / 2), 1, 1, `${name}_conv`), y);
  return apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }), y);
}

type Conv = (
  filters: number,
  kernelSize: number,
  strides: number,
  name: string,
  padding?: "valid" | "same",
) => tf.layers.Layer;

function bn(name: string): tf.layers.Layer {
  return new BatchNorm({ axis: 3, epsilon: EPSILON, momentum: BATCH_NORM_MOMENTUM, name });
}

function relu(name: string): tf.layers.Layer {
  return tf.layers.activation({ activation: "relu", name });
}

function apply(layer: tf.layers.Layer, x: T | T[]): T {
  return layer.apply(x) as T;
}
