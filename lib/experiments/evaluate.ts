/**
 * Test-set numbers the way the report states them: AUC with a 95% interval from a bootstrap
 * over patients, the ROC curve, and paired comparisons of two arms on the same test images.
 * @module
 */
import {
  bootstrapAuc,
  clusterIndices,
  drawClusters,
  pairedBootstrapAucDifference,
} from "../eval/bootstrap.ts";
import { quantile } from "../eval/stats.ts";
import { Rng } from "../rng.ts";
import { delongTest } from "../eval/delong.ts";
import { auc, rocCurve, type RocPoint } from "../eval/roc.ts";
import { perClassAuc } from "../eval/per_class_auc.ts";
import { patientKey, type XrayRecord } from "../data/record.ts";
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

/** True when a test set holds both classes (else it has no AUC). */
export function bothClasses(labels: readonly number[]): boolean {
  const positives = labels.reduce((a, b) => a + b, 0);
  return positives > 0 && positives < labels.length;
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
  const counts = {
    arm,
    images: scores.length,
    patients: new Set(groups).size,
    positives: labels.reduce((a, b) => a + b, 0),
  };
  // a test set of one class has no AUC: say so with NaN rather than stop the chapter
  if (!bothClasses(labels)) return { ...counts, auc: NaN, lo: NaN, hi: NaN, roc: [] };
  const ci = bootstrapAuc(scores, labels, {
    groups,
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
  return { ...counts, auc: ci.auc, lo: ci.lo, hi: ci.hi, roc: rocCurve(scores, labels) };
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
  /** Set (and the numbers NaN) when the test images hold one class only. */
  readonly notTestable?: string;
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
  if (!bothClasses(labels)) {
    const nan = { difference: NaN, lo: NaN, hi: NaN, p: NaN, pDelong: NaN };
    return { a: a.arm, b: b.arm, ...nan, notTestable: "the test images hold one class only" };
  }
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
): ReturnType<typeof perClassAuc> {
  return perClassAuc(predictions.scores, predictions.labels, classes, {
    groups: predictions.records.map(patientKey),
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
}

/**
 * Mean AUC over classes, arm A minus arm B, on the same test images: a paired bootstrap over
 * patients. The mean is over `classes` (those both arms report an AUC for); in a draw, over
 * the classes with both labels present. Two-sided p as for the binary comparison.
 */
export function compareMultiLabel<R extends XrayRecord>(
  a: Predictions<R>,
  b: Predictions<R>,
  classes: readonly number[],
  options: { resamples: number; seed?: number },
): { difference?: number; lo?: number; hi?: number; p?: number; notTestable?: string } {
  const ids = (p: Predictions<R>) => p.records.map((r) => `${r.source}/${r.imageId}`).join("|");
  if (ids(a) !== ids(b)) throw new Error("the two arms were not tested on the same images");
  if (classes.length === 0) {
    return { notTestable: "no finding has enough positive test patients for an AUC" };
  }
  const clusters = clusterIndices(a.records.map(patientKey));
  const meanDiff = (idx: readonly number[]) => {
    let sum = 0, n = 0;
    for (const c of classes) {
      const y = idx.map((i) => a.labels[i][c]);
      const pos = y.reduce((s, v) => s + v, 0);
      if (pos === 0 || pos === y.length) continue;
      sum += auc(idx.map((i) => a.scores[i][c]), y) - auc(idx.map((i) => b.scores[i][c]), y);
      n++;
    }
    return n ? sum / n : NaN;
  };
  const rng = new Rng(options.seed ?? 0);
  const draws: number[] = [];
  for (let k = 0; k < options.resamples; k++) {
    const d = meanDiff(drawClusters(clusters, rng));
    if (Number.isFinite(d)) draws.push(d);
  }
  const below = draws.filter((d) => d <= 0).length / draws.length;
  const above = draws.filter((d) => d >= 0).length / draws.length;
  return {
    difference: meanDiff(a.records.map((_, i) => i)),
    lo: quantile(draws, 0.025),
    hi: quantile(draws, 0.975),
    p: Math.min(1, 2 * Math.min(below, above)),
  };
}
