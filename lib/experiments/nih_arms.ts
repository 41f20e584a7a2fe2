/**
 * Chapter 2's arms: whole networks trained on ChestX-ray14's 14 findings, and the pretraining
 * gate written into each backbone's model card.
 * @module
 */
import type { Profile } from "../config.ts";
import type { ModelName } from "../data/normalise.ts";
import { labelVector, NIH_FINDINGS } from "../data/record.ts";
import type { NihRecord } from "../data/datasets/mod.ts";
import type { Splits } from "../data/splits.ts";
import { addCardNotes } from "../models/card.ts";
import { type ArmRun, trainArm } from "./arm.ts";
import { nihBackboneRun } from "./backbones.ts";
import { type PretrainingGate, pretrainingGate } from "./gate.ts";
import { THRESHOLD_RULE, validationThresholds } from "./operating.ts";

/** Train (or pick up) one ChestX-ray14 arm: ImageNet start or from scratch. */
export function trainNihArm(
  arch: ModelName,
  init: "imagenet" | "scratch",
  split: Splits<NihRecord>,
  profile: Profile,
): Promise<ArmRun<NihRecord>> {
  return trainArm({
    name: init === "imagenet" ? nihBackboneRun(arch) : `nih-${arch}-${init}`,
    arch,
    init,
    labels: (r) => labelVector(r, NIH_FINDINGS),
    classes: NIH_FINDINGS,
    data: {
      dataset: "NIH ChestX-ray14 (images stored at ≥ the input side)",
      split: "official train_val list cut 80/20 by patient (seed 1); official test list held out",
    },
    ...split,
    profile,
    seed: 1,
    epochs: profile.epochs,
  });
}

/** The gate of a trained backbone, recorded in its model card for later chapters. */
export async function gateBackbone(
  run: ArmRun<NihRecord>,
  profile: Profile,
): Promise<PretrainingGate> {
  const gate = pretrainingGate(run.validation, NIH_FINDINGS, {
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

/** Images and patients with each finding, per split: the table behind every per-finding AUC. */
export function findingCounts(
  split: Splits<NihRecord>,
): Record<string, string | number>[] {
  const count = (records: readonly NihRecord[], f: string) => {
    const hit = records.filter((r) => (r.findings as readonly string[]).includes(f));
    return `${hit.length} / ${new Set(hit.map((r) => r.patientId)).size}`;
  };
  return [...NIH_FINDINGS, "No Finding"].map((f) => ({
    finding: f,
    ...Object.fromEntries((["train", "val", "test"] as const).map((part) => [
      `${part} (images / patients)`,
      f === "No Finding"
        ? `${split[part].filter((r) => r.findings.length === 0).length}`
        : count(split[part], f),
    ])),
  }));
}
