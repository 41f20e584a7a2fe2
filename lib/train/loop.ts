/**
 * The training loop of the study: Adam with weight decay on the summed binary cross-entropy,
 * micro-batches accumulated into one optimiser step, validation loss and AUC after every
 * epoch, the learning rate cut on a plateau, the best epoch (by validation AUC) kept, early
 * stopping, a checkpoint per epoch, and a resume that ends where an unbroken run would.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import type { Batch } from "../data/pipeline.ts";
import { auc } from "../eval/roc.ts";
import { type BatchNormStatistics, setBatchNormStatistics } from "../models/batchnorm.ts";
import { assignWeights } from "../models/weights.ts";
import { loadModel } from "../models/io.ts";
import { note, Progress, withActivity } from "../progress.ts";
import { Adam, type NamedVariable } from "./adam.ts";
import {
  type CheckpointState,
  type EpochRecord,
  readCheckpoint,
  saveBest,
  saveCheckpoint,
} from "./_checkpoint.ts";
import { binaryCrossEntropy } from "./loss.ts";
import { computeGradients, GradientSum, optimizerStep } from "./step.ts";
import { type BatchSource, predict } from "./predict.ts";
import { afterEpoch, initialSchedule, type ScheduleOptions } from "./_schedule.ts";
import { join } from "node:path";

/** How to train. */
export interface TrainOptions<R> {
  readonly model: tf.LayersModel;
  /** Training batches: micro-batches when `accumulate` > 1. */
  readonly train: BatchSource<R>;
  readonly validation: BatchSource<R>;
  readonly epochs: number;
  readonly learningRate: number;
  readonly weightDecay?: number;
  readonly schedule: ScheduleOptions;
  /** Micro-batches summed into one optimiser step (gradient accumulation; default 1). */
  readonly accumulate?: number;
  /** Positive-class weights of the loss, one per output. */
  readonly positiveWeights?: readonly number[];
  /** Batch-norm statistics while training (default `batch`). */
  readonly batchNorm?: BatchNormStatistics;
  /** Where checkpoints go; without it nothing is saved and nothing resumes. */
  readonly checkpointDir?: string;
  /** What makes this run this run (arm, seed, data…): a checkpoint resumes only an equal one. */
  readonly config?: Record<string, unknown>;
  /**
   * A checkpoint of another configuration in `checkpointDir`: stop with an error (default), or
   * delete it and start afresh (for experiment runs whose code or data changed).
   */
  readonly onOtherCheckpoint?: "error" | "restart";
  /** Names the run in progress output. */
  readonly label?: string;
  /** No progress bars or notes (for many small runs, e.g. heads on features). */
  readonly quiet?: boolean;
  /**
   * Called after each epoch with its record and the whole history so far (resumed epochs
   * included): how a caller shows progress, e.g. with {@link epochTable}. The loop draws nothing.
   */
  readonly onEpoch?: (record: EpochRecord, history: readonly EpochRecord[]) => void | Promise<void>;
  /** Called after each training batch (tests use it to interrupt a run). */
  readonly afterBatch?: (epoch: number, batch: number) => void | Promise<void>;
}

/** What training did. */
export interface TrainResult {
  readonly history: EpochRecord[];
  /** 0-based epoch whose weights the model now holds. */
  readonly bestEpoch: number;
  readonly bestValAuc: number;
  /** The epoch a resumed run continued after, if it resumed. */
  readonly resumedAfterEpoch?: number;
  readonly stoppedEarly: boolean;
  /** Training images per second over this process's epochs (validation excluded). */
  readonly imagesPerSecond: number;
  /** `tf.memory().numTensors` after each epoch of this process (flat when nothing leaks). */
  readonly tensorsAfterEpoch: number[];
}

/** Raised when the backend runs out of memory; says which sizes to lower. */
export class OutOfMemoryError extends Error {
  constructor(images: number, side: number, cause: unknown) {
    super(
      `Out of memory training on ${images} images of ${side}×${side} px at once ` +
        `(${tf.getBackend()} backend${tf.getBackend() === "wasm" ? ", heap limit 4 GiB" : ""}). ` +
        `Use a smaller micro-batch and accumulate gradients to keep the same batch, or a ` +
        `smaller image side. The backend cannot continue in this process: restart it. ` +
        `(${cause instanceof Error ? cause.message : String(cause)})`,
    );
    this.name = "OutOfMemoryError";
  }
}

/** Train `options.model` in place; on return it holds the best epoch's weights. */
export function trainModel<R>(options: TrainOptions<R>): Promise<TrainResult> {
  return withActivity(`train ${options.label ?? options.model.name}`, () => train(options));
}

async function train<R>(options: TrainOptions<R>): Promise<TrainResult> {
  const { model, epochs } = options;
  const label = options.label ?? model.name;
  const accumulate = options.accumulate ?? 1;
  setBatchNormStatistics(model, options.batchNorm ?? "batch");
  const weights: NamedVariable[] = model.trainableWeights.map((w) => ({
    name: w.originalName,
    variable: w.read() as tf.Variable,
  }));
  const adam = new Adam({ learningRate: options.learningRate, weightDecay: options.weightDecay });
  const config = fingerprint(options);
  let history: EpochRecord[] = [];
  let schedule = initialSchedule();
  let start = 0;
  let resumedAfterEpoch: number | undefined;
  let stopped = false;
  if (options.checkpointDir) {
    let saved = await readCheckpoint(options.checkpointDir);
    if (saved && saved.state.config !== config) {
      tf.dispose([...Object.values(saved.weights), ...Object.values(saved.moments)]);
      if (options.onOtherCheckpoint !== "restart") {
        throw new Error(
          `${options.checkpointDir} holds a checkpoint of a different configuration; ` +
            `delete it to start afresh, or use another checkpoint folder`,
        );
      }
      note(`${label}: its configuration changed, trained afresh`);
      await Deno.remove(options.checkpointDir, { recursive: true });
      saved = undefined;
    }
    if (saved) {
      assignWeights(model, saved.weights, `${options.checkpointDir}/last`);
      adam.load({ ...saved.state.optimizer, moments: saved.moments });
      tf.dispose([...Object.values(saved.weights), ...Object.values(saved.moments)]);
      history = saved.state.history;
      schedule = saved.state.schedule;
      start = saved.state.epoch + 1;
      stopped = saved.state.stopped;
      resumedAfterEpoch = saved.state.epoch;
      if (!options.quiet) {
        note(
          stopped || start >= epochs
            ? `${label}: finished run reused`
            : `${label}: resumed after epoch ${start}`,
        );
      }
    }
  }
  let best: tf.NamedTensorMap | undefined;
  const tensorsAfterEpoch: number[] = [];
  let trainSeconds = 0, trainImages = 0;
  for (let epoch = start; epoch < epochs && !stopped; epoch++) {
    const began = performance.now();
    const { loss: trainLoss, images } = await trainEpoch(options, epoch, weights, adam, accumulate);
    trainSeconds += (performance.now() - began) / 1000;
    trainImages += images;
    const { loss: valLoss, auc: valAuc } = await validate(
      model,
      options.validation,
      label,
      options.quiet,
    );
    const decision = afterEpoch(
      schedule,
      epoch,
      valLoss,
      valAuc,
      adam.learningRate,
      options.schedule,
    );
    const record: EpochRecord = {
      epoch,
      trainLoss,
      valLoss,
      valAuc,
      learningRate: adam.learningRate,
      seconds: (performance.now() - began) / 1000,
    };
    history.push(record);
    await options.onEpoch?.(record, history);
    adam.learningRate = decision.learningRate;
    stopped = decision.stop;
    if (decision.improved) {
      if (options.checkpointDir) await saveBest(options.checkpointDir, model);
      else {
        tf.dispose(Object.values(best ?? {}));
        best = snapshot(model);
      }
    }
    if (options.checkpointDir) {
      const state: CheckpointState = {
        config,
        epoch,
        history,
        schedule,
        optimizer: { step: adam.step, learningRate: adam.learningRate },
        stopped,
      };
      const { moments } = adam.state();
      try {
        await saveCheckpoint(options.checkpointDir, model, moments, state);
      } finally {
        tf.dispose(Object.values(moments));
      }
    }
    tensorsAfterEpoch.push(tf.memory().numTensors);
  }
  adam.dispose();
  // hand back the best epoch's weights
  if (best) {
    assignWeights(model, best, "best epoch");
    tf.dispose(Object.values(best));
  } else if (options.checkpointDir && schedule.bestEpoch >= 0) {
    const saved = await loadModel(join(options.checkpointDir, "best"));
    const kept = snapshot(saved);
    assignWeights(model, kept, "best epoch");
    tf.dispose(Object.values(kept)); // copied into the model: one model's weights leaked per run
    saved.dispose();
  }
  return {
    history,
    bestEpoch: schedule.bestEpoch,
    bestValAuc: schedule.bestAuc,
    resumedAfterEpoch,
    stoppedEarly: stopped && history.length < epochs,
    imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0,
    tensorsAfterEpoch,
  };
}

async function trainEpoch<R>(
  options: TrainOptions<R>,
  epoch: number,
  weights: readonly NamedVariable[],
  adam: Adam,
  accumulate: number,
): Promise<{ loss: number; images: number }> {
  const { model, train } = options;
  const progress = new Progress(
    `${options.label ?? model.name} epoch ${epoch + 1}/${options.epochs}`,
    train.batchesPerEpoch,
    { unit: "batch", mode: options.quiet ? "silent" : undefined },
  );
  const variables = weights.map((w) => w.variable);
  const summed = new GradientSum();
  let lossSum = 0, images = 0, index = 0;
  const step = () => {
    const taken = summed.take();
    if (taken) optimizerStep(adam, weights, taken.sum, taken.count);
  };
  try {
    for await (const batch of train.batches(epoch)) {
      try {
        const { value, grads } = gradients(options, batch, variables);
        summed.add(grads);
        const n = batch.records.length;
        lossSum += (await value.data())[0] * n;
        value.dispose();
        images += n;
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      if (summed.count === accumulate) step();
      progress.note = `loss ${(lossSum / images).toFixed(4)}`;
      progress.tick();
      await options.afterBatch?.(epoch, index++);
    }
    step(); // a last, shorter step
  } finally {
    summed.dispose();
  }
  await progress.finish();
  return { loss: lossSum / Math.max(images, 1), images };
}

function gradients<R>(options: TrainOptions<R>, batch: Batch<R>, variables: tf.Variable[]) {
  try {
    return computeGradients(
      options.model,
      batch.x,
      batch.y,
      options.positiveWeights,
      variables,
    );
  } catch (e) {
    if (isOutOfMemory(e)) throw new OutOfMemoryError(batch.x.shape[0], batch.x.shape[1] ?? 0, e);
    throw e;
  }
}

/**
 * An allocation failure: an explicit message, or — on wasm, where a failed allocation can
 * surface as an out-of-bounds trap — any trap while the heap is at its 4 GiB ceiling.
 */
function isOutOfMemory(e: unknown): boolean {
  const text = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  if (/OOM|out of memory|Cannot enlarge memory|Memory\.grow|Maximum memory/i.test(text)) {
    return true;
  }
  if (tf.getBackend() !== "wasm" || !(e instanceof WebAssembly.RuntimeError)) return false;
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return (heap?.buffer.byteLength ?? 0) > 3.5 * 2 ** 30;
}

/** Validation loss and mean AUC over the outputs that have both classes. */
async function validate<R>(
  model: tf.LayersModel,
  source: BatchSource<R>,
  label = "validate",
  quiet = false,
): Promise<{ loss: number; auc: number }> {
  const { scores, labels } = await predict(model, source, {
    label: `${label} validation`,
    progress: !quiet,
  });
  const lossTensor = tf.tidy(() => binaryCrossEntropy(tf.tensor2d(scores), tf.tensor2d(labels)));
  // read asynchronously: WebGPU under Deno has no synchronous read-back
  const loss = (await lossTensor.data())[0];
  lossTensor.dispose();
  return { loss, auc: meanAuc(scores, labels) };
}

/** Mean over outputs of the AUC, skipping outputs whose labels are all one class. */
export function meanAuc(scores: number[][], labels: number[][]): number {
  const classes = scores[0]?.length ?? 0;
  const aucs: number[] = [];
  for (let c = 0; c < classes; c++) {
    const y = labels.map((l) => l[c]);
    const positives = y.reduce((a, b) => a + b, 0);
    if (positives === 0 || positives === y.length) continue;
    aucs.push(auc(scores.map((s) => s[c]), y));
  }
  return aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : NaN;
}

function snapshot(model: tf.LayersModel): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const w of model.weights) out[w.originalName] = tf.keep(w.read().clone());
  return out;
}

function fingerprint<R>(options: TrainOptions<R>): string {
  const parts = {
    config: options.config ?? {},
    model: options.model.name,
    weights: options.model.trainableWeights.map((w) => `${w.originalName}:${w.shape}`),
    learningRate: options.learningRate,
    weightDecay: options.weightDecay ?? 0,
    accumulate: options.accumulate ?? 1,
    positiveWeights: options.positiveWeights ?? null,
    batchNorm: options.batchNorm ?? "batch",
    schedule: options.schedule,
  };
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
}
