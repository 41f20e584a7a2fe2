/**
 * The quality gate for "pretrained". A backbone trained on ChestX-ray14 is called
 * ChestX-ray14-pretrained only if it measurably learned the findings: the patient-bootstrap 95%
 * interval of its mean validation AUC lies above 0.5. Otherwise it is named for what it is
 * (ImageNet weights after some updates on ChestX-ray14) and every comparison that rests on it is
 * not testable at this scale. Validation, never test: the test set stays untouched.
 * @module
 */
import { perClassAuc } from "../eval/per_class_auc.ts";
import { patientKey, type XrayRecord } from "../data/record.ts";
import type { Predictions } from "../train/predict.ts";

/** What the gate decided about one backbone. */
export interface PretrainingGate {
  readonly passed: boolean;
  /** Mean validation AUC over findings with enough positive patients. */
  readonly meanAuc: number | undefined;
  readonly ci: [number, number] | undefined;
  readonly findings: number;
  /** Optimiser updates the backbone received on ChestX-ray14. */
  readonly updates: number;
  /** The name results use for this backbone. */
  readonly name: string;
  /** One sentence: why it passed or failed. */
  readonly reason: string;
}

/** Name a backbone that passed the gate. */
export const PRETRAINED_NAME = "ChestX-ray14-pretrained";

/**
 * Apply the gate to a backbone's predictions on its ChestX-ray14 validation images (at the
 * epoch that was kept). `updates` is the number of optimiser steps it trained.
 */
export function pretrainingGate<R extends XrayRecord>(
  validation: Predictions<R>,
  classes: readonly string[],
  options: { updates: number; resamples: number; seed?: number; sourceWeights?: string },
): PretrainingGate {
  const table = perClassAuc(validation.scores, validation.labels, classes, {
    groups: validation.records.map(patientKey),
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
  const ci = table.meanCi;
  const passed = ci !== undefined && ci[0] > 0.5;
  const source = options.sourceWeights ?? "ImageNet";
  const measured = table.meanAuc === undefined
    ? "no finding had enough positive validation patients for an AUC"
    : `mean validation AUC ${table.meanAuc.toFixed(3)} (95% CI ${ci![0].toFixed(3)}–${
      ci![1].toFixed(3)
    }) over ${table.classesWithAuc} findings`;
  return {
    passed,
    meanAuc: table.meanAuc,
    ci,
    findings: table.classesWithAuc,
    updates: options.updates,
    name: passed
      ? PRETRAINED_NAME
      : `${source} weights after ${options.updates} updates on ChestX-ray14 ` +
        "(no measurable learning)",
    reason: passed
      ? `${measured}: the interval lies above 0.5`
      : `${measured}: the interval does not lie above 0.5`,
  };
}
