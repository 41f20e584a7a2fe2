/**
 * Frozen-backbone arms ("feature extraction"): the backbone runs once per image, and only the
 * dense head trains, on cached pooled features. Cheap enough to repeat over several patient
 * splits, which shows how much a test AUC moves with the split alone.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelName } from "../data/normalise.ts";
import { BatchPipeline, oversampleMinority } from "../data/pipeline.ts";
import type { XrayRecord } from "../data/record.ts";
import type { SplitTask } from "./task.ts";
import { HEAD_DENSE } from "../models/backbone.ts";
import { createModel, type Initialisation } from "../models/build.ts";
import {
  extractFeatures,
  FeatureBatches,
  type FeatureTable,
  headModel,
} from "../train/features.ts";
import { trainModel, type TrainResult } from "../train/loop.ts";
import { predict, type Predictions } from "../train/predict.ts";
import { withActivity } from "../progress.ts";
import { imageCache } from "./arm.ts";
import { HEAD_HYPER } from "./hyper.ts";

/** Features a head can train on: a frozen backbone's, or any other per-image vector. */
export interface FeatureSource {
  readonly name: string;
  readonly features: FeatureTable;
}

/** A frozen backbone and its features for a set of images. */
export interface FrozenBackbone extends FeatureSource {
  readonly arch: ModelName;
  readonly side: number;
  /** The full classifier; its head is replaced by {@link attachHead}. */
  readonly model: tf.LayersModel;
}

/** What {@link frozenBackbone} builds, and on which images. */
export interface FrozenBackboneOptions<R extends XrayRecord> {
  readonly name: string;
  readonly arch: ModelName;
  readonly init: Initialisation;
  readonly records: readonly R[];
  readonly outputs: number;
  readonly side: number;
  readonly seed?: number;
}

/** Build the backbone (ImageNet, NIH-trained or random) and extract features of `records`. */
export function frozenBackbone<R extends XrayRecord>(
  options: FrozenBackboneOptions<R>,
): Promise<FrozenBackbone> {
  return withActivity(`features of ${options.name}`, () => buildFrozen(options));
}

async function buildFrozen<R extends XrayRecord>(
  options: FrozenBackboneOptions<R>,
): Promise<FrozenBackbone> {
  const { arch, side } = options;
  const model = await createModel({
    arch,
    side,
    outputs: options.outputs,
    init: options.init,
    seed: options.seed ?? 0,
  });
  const pipeline = await new BatchPipeline(options.records, {
    side,
    model: arch,
    batchSize: 8,
    labels: () => [0],
    seed: 0,
    cache: imageCache(side),
  }).prepare(`decode ${side}px`);
  const features = await extractFeatures(model, pipeline, { label: `${options.name} features` });
  return { name: options.name, arch, side, model, features };
}

/** A head trained on frozen features. */
export interface HeadRun<R> {
  /** Dense + sigmoid on standardised features. */
  readonly head: tf.LayersModel;
  /** The training split's per-dimension mean and standard deviation of the features. */
  readonly standardisation: Standardisation;
  readonly result: TrainResult;
  readonly test: Predictions<R>;
  readonly validation: Predictions<R>;
}

/** Per-dimension mean and standard deviation (1 where a dimension is constant). */
export interface Standardisation {
  readonly mean: Float32Array;
  readonly sd: Float32Array;
}

/**
 * Train a dense head on a backbone's features (best epoch by validation AUC). Features are
 * standardised with the training images' statistics first: backbones differ by orders of
 * magnitude in their feature scale (an untrained ResNet50's pooled features reach 10⁴, which
 * saturates a sigmoid at 1.0 for every image), and one learning rate suits them all only on a
 * common scale.
 */
export async function trainHead<R extends XrayRecord>(
  options: SplitTask<R> & {
    /** The frozen features the head learns from. */
    readonly backbone: FeatureSource;
    readonly label?: string;
  },
): Promise<HeadRun<R>> {
  const { backbone, labels, profile, seed } = options;
  const standardisation = featureStatistics(options.train, backbone.features);
  const features = standardised(
    [...options.train, ...options.val, ...options.test],
    backbone.features,
    standardisation,
  );
  const batches = (records: readonly R[], train: boolean) =>
    new FeatureBatches(records, features, {
      batchSize: profile.batchSize,
      labels,
      seed,
      shuffle: train,
      sampler: train && options.oversample ? oversampleMinority(options.oversample) : undefined,
    });
  const outputs = labels(options.train[0]).length;
  const head = headModel(features.dim, outputs, seed);
  const result = await trainModel({
    model: head,
    train: batches(options.train, true),
    validation: batches(options.val, false),
    epochs: profile.headEpochs,
    learningRate: HEAD_HYPER.learningRate,
    weightDecay: HEAD_HYPER.weightDecay,
    schedule: { lrPatience: HEAD_HYPER.lrPatience, stopPatience: 3 * HEAD_HYPER.lrPatience },
    label: options.label ?? `${backbone.name} head`,
    quiet: true,
  });
  const test = await predict(head, batches(options.test, false), { progress: false });
  const validation = await predict(head, batches(options.val, false), { progress: false });
  return { head, standardisation, result, test, validation };
}

/** The mean and standard deviation of each feature over `records`. */
function featureStatistics(
  records: readonly XrayRecord[],
  features: FeatureTable,
): Standardisation {
  const { dim } = features;
  const mean = new Float64Array(dim), square = new Float64Array(dim);
  for (const r of records) {
    const v = features.byPath.get(r.path);
    if (!v) throw new Error(`no features for ${r.path}`);
    for (let d = 0; d < dim; d++) {
      mean[d] += v[d];
      square[d] += v[d] * v[d];
    }
  }
  const n = records.length;
  const sd = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    mean[d] /= n;
    const variance = Math.max(0, square[d] / n - mean[d] * mean[d]);
    sd[d] = variance > 1e-12 * Math.max(1, mean[d] * mean[d]) ? Math.sqrt(variance) : 1;
  }
  return { mean: Float32Array.from(mean), sd };
}

/** Features of `records`, standardised. */
export function standardised(
  records: readonly XrayRecord[],
  features: FeatureTable,
  s: Standardisation,
): FeatureTable {
  const byPath = new Map<string, Float32Array>();
  for (const r of records) {
    const v = features.byPath.get(r.path);
    if (!v) throw new Error(`no features for ${r.path}`);
    byPath.set(r.path, v.map((x, d) => (x - s.mean[d]) / s.sd[d]));
  }
  return { dim: features.dim, byPath, computed: 0 };
}

/**
 * Put a trained head on the full model (for CAM and for saving a whole classifier), folding the
 * standardisation into the dense layer: w'ₖ = wₖ/sₖ, b' = b − Σₖ wₖ·mₖ/sₖ. The full model then
 * gives the head's scores on raw pooled features, and its CAM is Σₖ w'ₖ fₖ (plus a constant).
 */
export function attachHead<R>(model: tf.LayersModel, run: HeadRun<R>): void {
  const [kernel, bias] = run.head.getLayer(HEAD_DENSE).getWeights();
  const folded = tf.tidy(() => {
    const sd = tf.tensor1d(run.standardisation.sd).reshape([-1, 1]);
    const mean = tf.tensor1d(run.standardisation.mean).reshape([-1, 1]);
    const k = tf.div(kernel, sd);
    const b = tf.sub(bias, tf.sum(tf.mul(k, mean), 0));
    return [k, b];
  });
  model.getLayer(HEAD_DENSE).setWeights(folded);
  tf.dispose(folded);
}
