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
import type { XrayRecord } from "../data/record.ts";
import { createModel, type Initialisation } from "../models/build.ts";
import { dataPart, PREPROCESSING, readCard, trainedOnList, writeCard } from "../models/card.ts";
import { epochTable, withActivity } from "../progress.ts";
import { runInfo } from "../results.ts";
import type { BatchNormStatistics } from "../models/batchnorm.ts";
import { trainModel, type TrainResult } from "../train/loop.ts";
import { predict, type Predictions } from "../train/predict.ts";
import { STUDY_HYPER } from "./hyper.ts";
import type { SplitTask } from "./task.ts";
import { codeVersion, recordsHash, runDir } from "./runs.ts";

/** What to train. */
export interface ArmSpec<R extends XrayRecord> extends SplitTask<R> {
  /** Run name, unique within a profile (it names the weights folder). */
  readonly name: string;
  readonly arch: ModelName;
  readonly init: Initialisation;
  /** Names of the outputs `labels` fills, in order (for the model card). */
  readonly classes: readonly string[];
  /** The dataset and split in words, for the model card. */
  readonly data: { readonly dataset: string; readonly split: string };
  readonly batchNorm?: BatchNormStatistics;
  /** Input side (default: the profile's imageSide). */
  readonly side?: number;
  /** Augment training images as the study did (default true; false for the ablation). */
  readonly augment?: boolean;
  /** Epochs (default: the profile's `tuneEpochs`). */
  readonly epochs?: number;
  /** Keep the last epoch, not the best by validation AUC (controls with meaningless labels). */
  readonly keepLast?: boolean;
}

/** A trained arm. */
export interface ArmRun<R> {
  readonly name: string;
  readonly model: tf.LayersModel;
  readonly result: TrainResult;
  readonly test: Predictions<R>;
  /** The kept epoch's predictions on the validation images. */
  readonly validation: Predictions<R>;
  /** Optimiser updates the kept weights received. */
  readonly updates: number;
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

/**
 * Images per forward pass: the batch, or the largest divisor of it that the backend holds at
 * once (the batch is then reached by accumulating that many passes' gradients).
 */
export function microBatch(profile: Profile, side = profile.imageSide): number {
  const limit = backendInfo()?.maxMicroBatch(side) ?? Infinity;
  let micro = Math.min(profile.batchSize, Math.max(1, Math.floor(limit)));
  while (profile.batchSize % micro !== 0) micro--;
  return micro;
}

/** Train one arm (or pick up its finished or interrupted run) and predict its test set. */
export function trainArm<R extends XrayRecord>(spec: ArmSpec<R>): Promise<ArmRun<R>> {
  return withActivity(`train ${spec.name}`, () => runArm(spec));
}

async function runArm<R extends XrayRecord>(spec: ArmSpec<R>): Promise<ArmRun<R>> {
  const { profile, arch } = spec;
  const side = spec.side ?? profile.imageSide;
  const hyper = STUDY_HYPER[arch];
  const micro = microBatch(profile, side);
  const cache = imageCache(side);
  const pipe = (records: readonly R[], train: boolean) =>
    new BatchPipeline(records, {
      side,
      model: arch,
      batchSize: train ? micro : 2 * micro,
      labels: spec.labels,
      augment: train && spec.augment !== false ? STUDY_AUGMENTATION : false,
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
  const epochs = spec.epochs ?? profile.tuneEpochs;
  const result = await trainModel({
    model,
    train,
    validation: val,
    epochs,
    learningRate: hyper.learningRate,
    weightDecay: hyper.weightDecay,
    schedule: spec.keepLast
      ? { lrPatience: hyper.lrPatience, keepLast: true }
      : { lrPatience: hyper.lrPatience },
    accumulate: profile.batchSize / micro,
    batchNorm: spec.batchNorm,
    checkpointDir: dir,
    onOtherCheckpoint: "restart",
    label: spec.name,
    onEpoch: epochTable(spec.name, epochs),
    config: {
      code: await codeVersion(),
      arch,
      init: spec.init,
      side,
      seed: spec.seed,
      train: recordsHash(spec.train),
      val: recordsHash(spec.val),
      oversample: Boolean(spec.oversample),
      augment: spec.augment !== false,
      // a finished longer run must not stand in for a shorter one (its best epoch may be later)
      epochs: spec.epochs ?? profile.tuneEpochs,
    },
  });
  const predictions = await predict(model, test, { label: `${spec.name} test` });
  const validation = await predict(model, val, { label: `${spec.name} validation` });
  const accumulate = profile.batchSize / micro;
  const updates = (result.bestEpoch + 1) * Math.ceil(train.batchesPerEpoch / accumulate);
  const info = runInfo(profile);
  const notes = await readCard(join(dir, "best")).then((c) => c.notes, () => undefined);
  await writeCard(join(dir, "best"), {
    card: "xray-transfer/model-card@1",
    name: spec.name,
    arch,
    side,
    preprocessing: PREPROCESSING[arch],
    classes: spec.classes,
    init: typeof spec.init === "string" ? spec.init : spec.init.from,
    data: {
      dataset: spec.data.dataset,
      split: spec.data.split,
      train: dataPart(train.records),
      validation: dataPart(val.records),
    },
    trainedOn: trainedOnList([...train.records, ...val.records]),
    profile: profile.name,
    seed: spec.seed,
    backend: info.backend?.description ?? "unknown",
    commit: info.gitCommit,
    training: { epochs: result.history.length, bestEpoch: result.bestEpoch, updates },
    notes, // kept from an earlier write of the same run (e.g. its pretraining gate)
    createdAt: info.createdAt,
  });
  return {
    name: spec.name,
    model,
    result,
    test: predictions,
    validation,
    updates,
    dir: join(dir, "best"),
  };
}
