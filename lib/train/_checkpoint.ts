/**
 * Checkpoints: after every epoch the weights (model and batch-norm statistics), the optimiser
 * state, the schedule, the history and the epoch go to `<dir>/last/`, replacing the previous
 * one only once complete; the best epoch's model also goes to `<dir>/best/`. A run started
 * again with the same configuration continues from `last`. Random state needs no saving: batch
 * order and augmentation are derived from (seed, epoch, position), never from a running
 * generator, so epoch k+1 is the same whether or not the process restarted after epoch k.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { concatBytes } from "../models/bytes.ts";
import { loadModel, saveModel } from "../models/io.ts";
import type { EpochRow } from "../progress.ts";
import type { ScheduleState } from "./_schedule.ts";

/** One epoch's numbers: what the epoch table shows is what a checkpoint keeps. */
export type EpochRecord = EpochRow;

/** Everything but tensors. */
export interface CheckpointState {
  /** Fingerprint of the configuration; a checkpoint only resumes the same configuration. */
  readonly config: string;
  /** The last finished epoch (0-based). */
  readonly epoch: number;
  readonly history: EpochRecord[];
  readonly schedule: ScheduleState;
  readonly optimizer: { step: number; learningRate: number };
  readonly stopped: boolean;
}

/** Write the last-epoch checkpoint atomically (a folder swap). */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizerMoments: tf.NamedTensorMap,
  state: CheckpointState,
): Promise<void> {
  const staging = join(dir, "last.writing");
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await saveModel(model, join(staging, "model"));
  await saveTensors(optimizerMoments, join(staging, "optimizer"));
  await Deno.writeTextFile(join(staging, "state.json"), JSON.stringify(state, null, 1));
  const last = join(dir, "last"), old = join(dir, "last.old");
  await Deno.remove(old, { recursive: true }).catch(() => {});
  await Deno.rename(last, old).catch(() => {});
  await Deno.rename(staging, last);
  await Deno.remove(old, { recursive: true }).catch(() => {});
}

/** The last checkpoint in `dir`, if one is there. */
export async function readCheckpoint(dir: string): Promise<
  | { state: CheckpointState; weights: tf.NamedTensorMap; moments: tf.NamedTensorMap }
  | undefined
> {
  const last = join(dir, "last");
  let state: CheckpointState;
  try {
    state = JSON.parse(await Deno.readTextFile(join(last, "state.json")));
  } catch {
    return undefined;
  }
  const model = await loadModel(join(last, "model"));
  const weights: tf.NamedTensorMap = {};
  for (const w of model.weights) weights[w.originalName] = w.read().clone();
  model.dispose();
  const moments = await loadTensors(join(last, "optimizer"));
  return { state, weights, moments };
}

/** Save the best model so far. */
export async function saveBest(dir: string, model: tf.LayersModel): Promise<void> {
  const staging = join(dir, "best.writing");
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await saveModel(model, staging);
  await Deno.remove(join(dir, "best"), { recursive: true }).catch(() => {});
  await Deno.rename(staging, join(dir, "best"));
}

/** Named tensors as a manifest (JSON) and one binary file. */
async function saveTensors(tensors: tf.NamedTensorMap, dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await Deno.writeFile(join(dir, "tensors.bin"), concatBytes(Array.isArray(data) ? data : [data]));
  await Deno.writeTextFile(join(dir, "tensors.json"), JSON.stringify(specs));
}

/** Read tensors written by {@link saveTensors}. */
async function loadTensors(dir: string): Promise<tf.NamedTensorMap> {
  const specs = JSON.parse(await Deno.readTextFile(join(dir, "tensors.json")));
  const bytes = await Deno.readFile(join(dir, "tensors.bin"));
  return tf.io.decodeWeights(bytes.buffer as ArrayBuffer, specs);
}
