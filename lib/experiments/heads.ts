/**
 * Frozen-backbone arms ("feature extraction"): the backbone runs once per image, and only the
 * dense head trains, on cached pooled features. Cheap enough to repeat over several patient
 * splits, which shows how much a test AUC moves with the split alone.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Profile } from "../config.ts";
import type { ModelName } from "../data/normalise.ts";
import { BatchPipeline, oversampleMinority } from "../data/pipeline.ts";
import type { XrayRecord } from "../data/records.ts";
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
import { imageCache } from "./arm.ts";
import { HEAD_HYPER } from "./hyper.ts";

/** A frozen backbone and its features for a set of images. */
export interface FrozenBackbone {
  readonly name: string;
  readonly arch: ModelName;
  readonly side: number;
  /** The full classifier; its head is replaced by {@link attachHead}. */
  readonly model: tf.LayersModel;
  readonly features: FeatureTable;
}

/** Build the backbone (ImageNet, NIH-trained or random) and extract features of `records`. */
export async function frozenBackbone<R extends XrayRecord>(options: {
  readonly name: string;
  readonly arch: ModelName;
  readonly init: Initialisation;
  readonly records: readonly R[];
  readonly outputs: number;
  readonly side: number;
  readonly seed?: number;
}): Promise<FrozenBackbone> {
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
  readonly head: tf.LayersModel;
  readonly result: TrainResult;
  readonly test: Predictions<R>;
}

/** Train a dense head on a backbone's features (best epoch by validation AUC). */
export async function trainHead<R extends XrayRecord>(options: {
  readonly backbone: FrozenBackbone;
  readonly labels: (record: R) => number[];
  readonly train: readonly R[];
  readonly val: readonly R[];
  readonly test: readonly R[];
  readonly profile: Profile;
  readonly seed: number;
  readonly oversample?: (record: R) => boolean;
  readonly label?: string;
}): Promise<HeadRun<R>> {
  const { backbone, labels, profile, seed } = options;
  const batches = (records: readonly R[], train: boolean) =>
    new FeatureBatches(records, backbone.features, {
      batchSize: profile.batchSize,
      labels,
      seed,
      shuffle: train,
      sampler: train && options.oversample ? oversampleMinority(options.oversample) : undefined,
    });
  const outputs = labels(options.train[0]).length;
  const head = headModel(backbone.features.dim, outputs, seed);
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
  return { head, result, test };
}

/** Put a trained head on the full model (for CAM and for saving a whole classifier). */
export function attachHead(model: tf.LayersModel, head: tf.LayersModel): void {
  const [kernel, bias] = head.getLayer(HEAD_DENSE).getWeights();
  model.getLayer(HEAD_DENSE).setWeights([kernel, bias]);
}
