/**
 * Models as the study used them: a DenseNet121 or ResNet50 backbone with a global-average-
 * pooling + dense head, initialised from ImageNet, from another trained model, or at random.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelName } from "../data/normalise.ts";
import { type Backbone, classifierHead, HEAD_DENSE, HEAD_POOL } from "./backbone.ts";
import { denseNet121 } from "./_densenet.ts";
import { imagenetWeights } from "../data/imagenet_weights.ts";
import { loadModel } from "./io.ts";
import { resNet50 } from "./_resnet.ts";
import { assignWeights, readNamedWeights } from "./weights.ts";

/** How the backbone starts. */
export type Initialisation =
  | "imagenet"
  | "scratch"
  /** A model saved by {@link saveModel} (e.g. the NIH-trained DenseNet); its head is dropped. */
  | { readonly from: string };

/** What to build. */
export interface ModelSpec {
  readonly arch: ModelName;
  /** Input side in pixels. */
  readonly side: number;
  /** Sigmoid outputs of the new head (one per finding). */
  readonly outputs: number;
  readonly init: Initialisation;
  /** Seeds the random weights (the whole backbone for `scratch`, the head otherwise). */
  readonly seed?: number;
}

/** The backbone of an architecture (random weights). */
export function backbone(arch: ModelName, side: number, seed = 0): Backbone {
  if (side % 32 !== 0 || side < 32) {
    throw new Error(`image side ${side} must be a multiple of 32 (the backbones downsample 32×)`);
  }
  return arch === "densenet121" ? denseNet121(side, seed) : resNet50(side, seed);
}

/** Build a classifier and initialise it as `spec.init` says. */
export async function createModel(spec: ModelSpec): Promise<tf.LayersModel> {
  const seed = spec.seed ?? 0;
  const bb = backbone(spec.arch, spec.side, seed);
  const output = classifierHead(bb.features, spec.outputs, { seed });
  const model = tf.model({ inputs: bb.input, outputs: output, name: spec.arch });
  if (spec.init === "scratch") return model;
  const source = spec.init === "imagenet" ? await imagenetWeights(spec.arch) : spec.init.from;
  const named = spec.init === "imagenet"
    ? await readNamedWeights(source, { label: `${spec.arch} ImageNet weights` })
    : await namedWeightsOf(spec.init.from);
  try {
    // the ImageNet file also holds the 1000-class top (fc1000), which our head replaces
    assignWeights(model, named, source, { keepLayers: [HEAD_DENSE], allowUnused: true });
    checkBackboneComplete(model, named, source);
  } finally {
    tf.dispose(Object.values(named));
  }
  return model;
}

/**
 * The architecture with its 1000-class ImageNet top, exactly as Keras has it (used to check
 * the weights on photos, and for the parameter counts).
 */
export async function createImagenetClassifier(
  arch: ModelName,
  side = 224,
  load = true,
): Promise<tf.LayersModel> {
  const bb = backbone(arch, side);
  const pooled = tf.layers.globalAveragePooling2d({ name: HEAD_POOL }).apply(bb.features);
  const top = tf.layers.dense({ units: 1000, activation: "softmax", name: "fc1000" }).apply(pooled);
  const model = tf.model({ inputs: bb.input, outputs: top as tf.SymbolicTensor, name: arch });
  if (!load) return model;
  const source = await imagenetWeights(arch);
  const named = await readNamedWeights(source, { label: `${arch} ImageNet weights` });
  try {
    assignWeights(model, named, source);
  } finally {
    tf.dispose(Object.values(named));
  }
  return model;
}

/**
 * A saved classifier (backbone and head) rebuilt for another input side: the layers are the
 * same, only the input size differs, so every weight carries over by name.
 */
export async function loadClassifierAt(
  dir: string,
  arch: ModelName,
  side: number,
): Promise<tf.LayersModel> {
  const named = await namedWeightsOf(dir);
  try {
    const outputs = named[`${HEAD_DENSE}/kernel`]?.shape[1];
    if (!outputs) {
      throw new Error(`${dir}: no ${HEAD_DENSE} layer (not a classifier of this project)`);
    }
    const model = await createModel({ arch, side, outputs, init: "scratch" });
    assignWeights(model, named, dir);
    return model;
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** The sub-model from the input to the backbone's last feature maps (before pooling). */
export function featureModel(model: tf.LayersModel): tf.LayersModel {
  const pool = model.getLayer(HEAD_POOL);
  return tf.model({ inputs: model.inputs, outputs: pool.input as tf.SymbolicTensor });
}

async function namedWeightsOf(dir: string): Promise<tf.NamedTensorMap> {
  const saved = await loadModel(dir);
  const named: tf.NamedTensorMap = {};
  for (const w of saved.weights) named[w.originalName] = w.read().clone();
  saved.dispose();
  return named;
}

// Every backbone weight must come from the file; a silent random layer would ruin a transfer.
function checkBackboneComplete(
  model: tf.LayersModel,
  named: tf.NamedTensorMap,
  source: string,
): void {
  const missing = model.layers
    .filter((l) => l.name !== HEAD_DENSE)
    .flatMap((l) => l.weights.map((w) => w.originalName))
    .filter((name) => !(name in named));
  if (missing.length) throw new Error(`${source}: backbone weights missing: ${missing.join(", ")}`);
}
