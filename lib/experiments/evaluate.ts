/**
 * Test-set numbers the way the report states them: AUC with a 95% interval from a bootstrap
 * over patients, the ROC curve, and paired comparisons of two arms on the same test images.
 * @module
 */
import { bootstrapAuc, pairedBootstrapAucDifference } from "../eval/bootstrap.ts";
import { delongTest } from "../eval/delong.ts";
import { rocCurve, type RocPoint } from "../eval/roc.ts";
import { type ClassAuc, perClassAuc } from "../eval/tables.ts";
import { patientKey, type XrayRecord } from "../data/records.ts";
import type { Predictions } from "../train/predict.ts";

/** One arm's binary test result. */
export interface BinaryResult {
  readonly arm: string;
  readonly auc: number;
  readonly lo: number;
  readonly hi: number;
  readonly images: number;
  readonly patients: number;
  readonly positives: number;
  readonly roc: RocPoint[];
}

/** AUC (output `output`) with a patient-bootstrap CI and the ROC curve. */
export function binaryResult<R extends XrayRecord>(
  arm: string,
  predictions: Predictions<R>,
  options: { resamples: number; seed?: number; output?: number },
): BinaryResult {
  const c = options.output ?? 0;
  const scores = predictions.scores.map((s) => s[c]);
  const labels = predictions.labels.map((l) => l[c]);
  const groups = predictions.records.map(patientKey);
  const ci = bootstrapAuc(scores, labels, {
    groups,
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
  return {
    arm,
    auc: ci.auc,
    lo: ci.lo,
    hi: ci.hi,
    images: scores.length,
    patients: new Set(groups).size,
    positives: labels.reduce((a, b) => a + b, 0),
    roc: rocCurve(scores, labels),
  };
}

/** Arm A minus arm B on the same test images: paired patient bootstrap, and DeLong. */
export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly difference: number;
  readonly lo: number;
  readonly hi: number;
  /** Paired-bootstrap two-sided p (resamples patients). */
  readonly p: number;
  /** DeLong's p (treats images as independent; for reference). */
  readonly pDelong: number;
}

/** Compare two arms' binary predictions on the same test set. */
export function compareArms<R extends XrayRecord>(
  a: { arm: string; predictions: Predictions<R> },
  b: { arm: string; predictions: Predictions<R> },
  options: { resamples: number; seed?: number; output?: number },
): Comparison {
  const c = options.output ?? 0;
  const ids = (p: Predictions<R>) => p.records.map((r) => `${r.source}/${r.imageId}`).join("|");
  if (ids(a.predictions) !== ids(b.predictions)) {
    throw new Error(`${a.arm} and ${b.arm} were not tested on the same images in the same order`);
  }
  const labels = a.predictions.labels.map((l) => l[c]);
  const sa = a.predictions.scores.map((s) => s[c]), sb = b.predictions.scores.map((s) => s[c]);
  const paired = pairedBootstrapAucDifference(sa, sb, labels, {
    groups: a.predictions.records.map(patientKey),
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
  return {
    a: a.arm,
    b: b.arm,
    difference: paired.difference,
    lo: paired.lo,
    hi: paired.hi,
    p: paired.p,
    pDelong: delongTest(sa, sb, labels).p,
  };
}

/** Per-class AUC with patient-bootstrap CIs for a multi-label model. */
export function multiLabelResult<R extends XrayRecord>(
  predictions: Predictions<R>,
  classes: readonly string[],
  options: { resamples: number; seed?: number },
): { rows: ClassAuc[]; meanAuc: number | undefined; classesWithAuc: number } {
  return perClassAuc(predictions.scores, predictions.labels, classes, {
    groups: predictions.records.map(patientKey),
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
}
