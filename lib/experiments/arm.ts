/**
 * One arm of an experiment, trained whole (fine-tuning or from scratch): build the model,
 * feed it augmented (and, for a binary task, oversampled) batches, keep the best epoch by
 * validation AUC, and predict the test set. Weights and checkpoints live in the run's folder,
 * so a re-executed notebook resumes or reuses a finished run instead of training again.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { backendInfo } from "../backend/mod.ts";
import type { Profile } from "../config.ts";
import { STUDY_AUGMENTATION } from "../data/augment.ts";
import { ImageCache } from "../data/cache.ts";
import type { ModelName } from "../data/normalise.ts";
import { BatchPipeline, oversampleMinority } from "../data/pipeline.ts";
import type { XrayRecord } from "../data/records.ts";
import { createModel, type Initialisation } from "../models/build.ts";
import type { BatchNormStatistics } from "../models/batchnorm.ts";
import { trainModel, type TrainResult } from "../train/loop.ts";
import { predict, type Predictions } from "../train/predict.ts";
import { STUDY_HYPER } from "./hyper.ts";
import { codeVersion, recordsHash, runDir } from "./runs.ts";

/** What to train. */
export interface ArmSpec<R extends XrayRecord> {
  /** Run name, unique within a profile (it names the weights folder). */
  readonly name: string;
  readonly arch: ModelName;
  readonly init: Initialisation;
  readonly labels: (record: R) => number[];
  readonly train: readonly R[];
  readonly val: readonly R[];
  readonly test: readonly R[];
  readonly profile: Profile;
  readonly seed: number;
  /** Binary tasks: the positive class, whose minority side is oversampled (as the study). */
  readonly oversample?: (record: R) => boolean;
  readonly batchNorm?: BatchNormStatistics;
  /** Input side (default: the profile's imageSide). */
  readonly side?: number;
}

/** A trained arm. */
export interface ArmRun<R> {
  readonly name: string;
  readonly model: tf.LayersModel;
  readonly result: TrainResult;
  readonly test: Predictions<R>;
  /** Folder holding the best epoch's model (`<dir>/best`). */
  readonly dir: string;
}

// One decoded-image cache per side, shared by every arm of a notebook.
const caches = new Map<number, ImageCache>();

/** The shared decoded-image cache for a side. */
export function imageCache(side: number): ImageCache {
  let cache = caches.get(side);
  if (!cache) caches.set(side, cache = new ImageCache(side));
  return cache;
}

/** Images per forward pass: the profile's micro-batch on wasm, the whole batch natively. */
export function microBatch(profile: Profile): number {
  return backendInfo()?.name === "wasm"
    ? Math.min(profile.microBatch, profile.batchSize)
    : profile.batchSize;
}

/** Train one arm (or pick up its finished or interrupted run) and predict its test set. */
export async function trainArm<R extends XrayRecord>(spec: ArmSpec<R>): Promise<ArmRun<R>> {
  const { profile, arch } = spec;
  const side = spec.side ?? profile.imageSide;
  const hyper = STUDY_HYPER[arch];
  const micro = microBatch(profile);
  const cache = imageCache(side);
  const pipe = (records: readonly R[], train: boolean) =>
    new BatchPipeline(records, {
      side,
      model: arch,
      batchSize: train ? micro : 2 * micro,
      labels: spec.labels,
      augment: train ? STUDY_AUGMENTATION : false,
      sampler: train && spec.oversample ? oversampleMinority(spec.oversample) : undefined,
      seed: spec.seed,
      cache,
    }).prepare(`decode ${side}px`);
  const [train, val, test] = [
    await pipe(spec.train, true),
    await pipe(spec.val, false),
    await pipe(spec.test, false),
  ];
  const outputs = spec.labels(spec.train[0]).length;
  const model = await createModel({ arch, side, outputs, init: spec.init, seed: spec.seed });
  const dir = runDir(spec.name, profile);
  const result = await trainModel({
    model,
    train,
    validation: val,
    epochs: profile.epochs,
    learningRate: hyper.learningRate,
    weightDecay: hyper.weightDecay,
    schedule: { lrPatience: hyper.lrPatience },
    accumulate: Math.max(1, Math.round(profile.batchSize / micro)),
    batchNorm: spec.batchNorm,
    checkpointDir: dir,
    onOtherCheckpoint: "restart",
    label: spec.name,
    config: {
      code: await codeVersion(),
      arch,
      init: spec.init,
      side,
      seed: spec.seed,
      train: recordsHash(spec.train),
      val: recordsHash(spec.val),
      oversample: Boolean(spec.oversample),
    },
  });
  const predictions = await predict(model, test, { label: `${spec.name} test` });
  return { name: spec.name, model, result, test: predictions, dir: join(dir, "best") };
}
