/**
 * Chapter 2's arms: whole networks trained on ChestX-ray14's 14 findings (repeated with other
 * seeds where the profile asks), the pretraining gate written into each backbone's model card,
 * and the equal-compute control that chapter 3 compares the pretrained backbone with.
 * @module
 */
import type { Profile } from "../config.ts";
import type { ModelName } from "../data/normalise.ts";
import { labelVector, NIH_FINDINGS } from "../data/record.ts";
import type { NihRecord } from "../data/datasets/mod.ts";
import { BatchPipeline } from "../data/pipeline.ts";
import { addCardNotes } from "../models/card.ts";
import { deriveSeed, Rng } from "../rng.ts";
import { predict, type Predictions } from "../train/predict.ts";
import { type ArmRun, imageCache, microBatch, trainArm } from "./arm.ts";
import { nihBackboneRun, shuffledBackboneRun } from "./backbones.ts";
import { type PretrainingGate, pretrainingGate } from "./gate.ts";
import { THRESHOLD_RULE, validationThresholds } from "./operating.ts";
import type { NihSplit } from "./study_data.ts";

/** One ChestX-ray14 arm: its training runs (repeat 0 is the backbone later chapters use). */
export interface NihArm {
  readonly arm: string;
  readonly arch: ModelName;
  readonly init: "imagenet" | "scratch";
  readonly runs: readonly ArmRun<NihRecord>[];
}

const nihLabels = (r: NihRecord) => labelVector(r, NIH_FINDINGS);

const NIH_DATA = {
  dataset: "NIH ChestX-ray14 (images stored at ≥ the input side)",
  split: "official train_val list cut 70/15/15 by patient (train/validation/gate, seed 1); " +
    "official test list held out",
};

/** Train (or pick up) one ChestX-ray14 arm, `profile.nihRepeats` times with other seeds. */
export async function trainNihArm(
  arch: ModelName,
  init: "imagenet" | "scratch",
  split: NihSplit,
  profile: Profile,
  arm: string,
): Promise<NihArm> {
  const runs: ArmRun<NihRecord>[] = [];
  for (let r = 0; r < profile.nihRepeats; r++) {
    const base = init === "imagenet" ? nihBackboneRun(arch) : `nih-${arch}-${init}`;
    runs.push(
      await trainArm({
        name: r === 0 ? base : `${base}-r${r}`,
        arch,
        init,
        labels: nihLabels,
        classes: NIH_FINDINGS,
        data: NIH_DATA,
        train: split.train,
        val: split.val,
        test: split.test,
        profile,
        seed: 1 + r,
        epochs: profile.epochs,
      }),
    );
  }
  return { arm, arch, init, runs };
}

/**
 * The gate of a trained backbone (repeat 0), judged on the gate's own patients — never those
 * that picked its epoch — and recorded in its model card for later chapters.
 */
export async function gateBackbone(
  arm: NihArm,
  gateRecords: readonly NihRecord[],
  profile: Profile,
): Promise<PretrainingGate> {
  const run = arm.runs[0];
  const gateScores = await predictRecords(run, gateRecords, arm.arch, profile);
  const gate = pretrainingGate(gateScores, NIH_FINDINGS, {
    updates: run.updates,
    resamples: profile.resamples,
  });
  await addCardNotes(run.dir, {
    gate,
    thresholds: validationThresholds(run.validation),
    thresholdRule: THRESHOLD_RULE,
  });
  return gate;
}

/**
 * The equal-compute control: the same ImageNet start trained on the same ChestX-ray14 images
 * for exactly as many updates as the pretrained backbone's kept epoch, but with each image's
 * 14 labels taken from another image (a seeded shuffle within each part). It sees the same
 * X-rays and gets the same compute; only what the labels teach is missing. Its last epoch is
 * kept (its validation AUC means nothing).
 */
export async function trainShuffledControl(
  pretrained: NihArm,
  split: NihSplit,
  profile: Profile,
): Promise<ArmRun<NihRecord>> {
  const real = pretrained.runs[0];
  const shuffled = new Map<string, number[]>();
  for (const part of [split.train, split.val, split.test] as const) {
    const donors = new Rng(deriveSeed(11, "shuffled labels", part.length)).shuffle(part);
    part.forEach((r, i) => shuffled.set(`${r.source}/${r.imageId}`, nihLabels(donors[i])));
  }
  const run = await trainArm({
    name: shuffledBackboneRun(pretrained.arch),
    arch: pretrained.arch,
    init: "imagenet",
    labels: (r) => shuffled.get(`${r.source}/${r.imageId}`)!,
    classes: NIH_FINDINGS,
    data: {
      dataset: "NIH ChestX-ray14, labels shuffled across images (equal-compute control)",
      split: NIH_DATA.split,
    },
    train: split.train,
    val: split.val,
    test: split.test,
    profile,
    seed: 1,
    epochs: real.result.bestEpoch + 1,
    keepLast: true,
  });
  await addCardNotes(run.dir, {
    control: `equal-compute control of ${pretrained.arm}: ${run.updates} updates on shuffled ` +
      `labels (the pretrained backbone kept ${real.updates})`,
  });
  return run;
}

/** Predictions of a trained arm's model on other records (e.g. the gate's patients). */
async function predictRecords(
  run: ArmRun<NihRecord>,
  records: readonly NihRecord[],
  arch: ModelName,
  profile: Profile,
): Promise<Predictions<NihRecord>> {
  const side = profile.imageSide;
  const pipeline = await new BatchPipeline(records, {
    side,
    model: arch,
    batchSize: 2 * microBatch(profile, side),
    labels: nihLabels,
    seed: 0,
    cache: imageCache(side),
  }).prepare(`decode ${side}px`);
  return predict(run.model, pipeline, { label: `${run.name} gate` });
}

/** Images and patients with each finding, per part: the table behind every per-finding AUC. */
export function findingCounts(split: NihSplit): Record<string, string | number>[] {
  const count = (records: readonly NihRecord[], f: string) => {
    const hit = records.filter((r) => (r.findings as readonly string[]).includes(f));
    return `${hit.length} / ${new Set(hit.map((r) => r.patientId)).size}`;
  };
  return [...NIH_FINDINGS, "No Finding"].map((f) => ({
    finding: f,
    ...Object.fromEntries((["train", "val", "gate", "test"] as const).map((part) => [
      `${part} (images / patients)`,
      f === "No Finding"
        ? `${split[part].filter((r) => r.findings.length === 0).length}`
        : count(split[part], f),
    ])),
  }));
}
