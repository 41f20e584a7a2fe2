/**
 * Confidence intervals for AUC by resampling patients, not images: images of one patient are
 * correlated, and resampling them one by one would make the interval too narrow.
 * @module
 */
import { Rng } from "../rng.ts";
import { auc } from "./roc.ts";
import { quantile } from "./stats.ts";

/** An AUC with its percentile bootstrap interval. */
export interface AucInterval {
  readonly auc: number;
  readonly lo: number;
  readonly hi: number;
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
  /** Resamples used (those with both classes present). */
  readonly resamples: number;
}

/** Options for the bootstrap functions. */
export interface BootstrapOptions {
  /** Patient (or other cluster) of each image; default: each image its own cluster. */
  readonly groups?: readonly string[];
  /** Number of resamples (default 2000). */
  readonly resamples?: number;
  readonly level?: number;
  readonly seed?: number;
}

/** AUC with a 95% (or `level`) percentile CI from a patient-level bootstrap. */
export function bootstrapAuc(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: BootstrapOptions = {},
): AucInterval {
  const level = options.level ?? 0.95;
  const stats = resampleClusters(
    labels,
    options,
    (idx) => auc(pick(scores, idx), pick(labels, idx)),
  );
  return {
    auc: auc(scores, labels),
    lo: quantile(stats, (1 - level) / 2),
    hi: quantile(stats, 1 - (1 - level) / 2),
    level,
    resamples: stats.length,
  };
}

/** The difference of two models' AUCs on the same images, with a paired patient bootstrap. */
export interface AucDifference {
  readonly difference: number;
  readonly lo: number;
  readonly hi: number;
  /** Two-sided p-value: twice the share of resampled differences on the other side of 0. */
  readonly p: number;
  /** Standard deviation of the resampled differences: the difference's standard error. */
  readonly se: number;
  readonly resamples: number;
}

/** Paired bootstrap test of AUC(a) − AUC(b), resampling patients (both models see the same draw). */
export function pairedBootstrapAucDifference(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: BootstrapOptions = {},
): AucDifference {
  const level = options.level ?? 0.95;
  const diffs = resampleClusters(labels, options, (idx) => {
    const y = pick(labels, idx);
    return auc(pick(scoresA, idx), y) - auc(pick(scoresB, idx), y);
  });
  const below = diffs.filter((d) => d <= 0).length / diffs.length;
  const above = diffs.filter((d) => d >= 0).length / diffs.length;
  return {
    difference: auc(scoresA, labels) - auc(scoresB, labels),
    lo: quantile(diffs, (1 - level) / 2),
    hi: quantile(diffs, 1 - (1 - level) / 2),
    p: Math.min(1, 2 * Math.min(below, above)),
    se: sd(diffs),
    resamples: diffs.length,
  };
}

// Draw clusters with replacement, evaluate `stat` on the drawn images; resamples that hold only
// one class (AUC undefined) are redrawn, and counted so the caller can see how many were kept.
function resampleClusters(
  labels: ArrayLike<number>,
  options: BootstrapOptions,
  stat: (indices: number[]) => number,
): number[] {
  const groups = options.groups ?? Array.from({ length: labels.length }, (_, i) => String(i));
  if (groups.length !== labels.length) {
    throw new Error(`${groups.length} groups for ${labels.length} images`);
  }
  const clusters = clusterIndices(groups);
  const rng = new Rng(options.seed ?? 0);
  const wanted = options.resamples ?? 2000;
  const out: number[] = [];
  for (let attempts = 0; out.length < wanted && attempts < wanted * 10; attempts++) {
    const idx = drawClusters(clusters, rng);
    let positives = 0;
    for (const i of idx) positives += labels[i];
    if (positives === 0 || positives === idx.length) continue;
    out.push(stat(idx));
  }
  if (out.length < wanted / 2) {
    throw new Error(
      `only ${out.length} of ${wanted} resamples had both classes: too few positives or negatives`,
    );
  }
  return out;
}

/**
 * A mean with its percentile bootstrap interval, resampling clusters (patients), and the
 * two-sided bootstrap p for "the mean is 0" (for paired differences).
 */
export function bootstrapMean(
  values: readonly number[],
  options: BootstrapOptions = {},
): { mean: number; lo: number; hi: number; p: number; se: number } {
  const level = options.level ?? 0.95;
  const groups = options.groups ?? values.map((_, i) => String(i));
  const clusters = clusterIndices(groups);
  const rng = new Rng(options.seed ?? 0);
  const avg = (idx: readonly number[]) => idx.reduce((a, i) => a + values[i], 0) / idx.length;
  const means = Array.from(
    { length: options.resamples ?? 2000 },
    () => avg(drawClusters(clusters, rng)),
  );
  const below = means.filter((m) => m <= 0).length / means.length;
  const above = means.filter((m) => m >= 0).length / means.length;
  return {
    mean: avg(values.map((_, i) => i)),
    lo: quantile(means, (1 - level) / 2),
    hi: quantile(means, 1 - (1 - level) / 2),
    p: Math.min(1, 2 * Math.min(below, above)),
    se: sd(means),
  };
}

/** Image indices of each cluster (patient), in first-seen order. */
export function clusterIndices(groups: readonly string[]): number[][] {
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  return [...members.values()];
}

/** One bootstrap draw: as many clusters as there are, with replacement; their image indices. */
export function drawClusters(clusters: readonly number[][], rng: Rng): number[] {
  const idx: number[] = [];
  for (let c = 0; c < clusters.length; c++) idx.push(...clusters[rng.int(clusters.length)]);
  return idx;
}

// Sample standard deviation of bootstrap draws: the standard error of the statistic.
function sd(values: readonly number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
}

function pick(values: ArrayLike<number>, idx: readonly number[]): number[] {
  return idx.map((i) => values[i]);
}

/**
 * Mean of a − b over the items where both are finite, with a paired bootstrap over clusters
 * (patients): interval and two-sided p for "no difference".
 */
export function pairedMeanDifference(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): { difference: number; lo: number; hi: number; p: number; se: number; n: number } {
  if (a.length !== b.length) throw new Error(`${a.length} values paired with ${b.length}`);
  const groups = options.groups ?? a.map((_, i) => String(i));
  const keep = a.map((_, i) => i).filter((i) => Number.isFinite(a[i]) && Number.isFinite(b[i]));
  const m = bootstrapMean(keep.map((i) => a[i] - b[i]), {
    ...options,
    groups: keep.map((i) => groups[i]),
  });
  return { difference: m.mean, lo: m.lo, hi: m.hi, p: m.p, se: m.se, n: keep.length };
}
