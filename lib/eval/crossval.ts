/**
 * Intervals that cover what a re-run would change: which patients are tested, and the training
 * noise (seed, order of batches, augmentation draws) of every model that trains.
 *
 * **Cross-validated arms** (`foldInterval`, `foldDifference`). With K-fold cross-validation by
 * patient, fold k's AUC comes from its own test patients (disjoint from every other fold's) and
 * its own independently seeded training runs. So the K fold AUCs are independent draws that
 * each carry both kinds of variation, and their spread measures both at once, without a model
 * of either. Repeats of one fold (other seeds, same test patients) are averaged first — they
 * share their test sampling. The arm's AUC is the mean over folds, with a Student t interval
 * on K − 1 degrees of freedom. Two arms run on the same folds are compared fold by fold (a
 * paired t over K differences), so the test sampling they share cancels.
 *
 * **One test set, several models** (`sharedTestInterval`): external images, or out-of-fold
 * scores of two ways of splitting. Every model sees the same images, so the models' spread is
 * training noise only, and test sampling needs a bootstrap over patients. The variance of the
 * mean over M models is the bootstrap variance plus the models' variance ÷ M, with Welch–
 * Satterthwaite degrees of freedom (M − 1 for the second part).
 *
 * `test/eval/crossval_coverage_test.ts` simulates data with a known AUC and known training noise
 * and checks that these 95% intervals cover the truth 93–97% of the time.
 * @module
 */
import { clusterIndices, drawClusters } from "./bootstrap.ts";
import { auc } from "./roc.ts";
import { meanSd, normalCdf, studentTCdf, studentTQuantile } from "./stats.ts";
import { Rng } from "../rng.ts";

/** An estimate with its interval, and where the interval's width comes from. */
export interface Estimate {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
  /** Standard error of the estimate. */
  readonly se: number;
  /** Degrees of freedom of the t quantile (Infinity: normal). */
  readonly df: number;
  readonly level: number;
}

/** A difference A − B with its interval and two-sided p for "no difference". */
export interface DifferenceEstimate extends Estimate {
  readonly p: number;
}

/** {@link foldInterval}'s answer: also the fold means and how many folds had a value. */
export interface FoldEstimate extends Estimate {
  /** The fold means (repeats averaged), for the folds that had a value. */
  readonly perFold: readonly number[];
  /** Folds left out because no run of theirs had a value (e.g. one class in a subset). */
  readonly foldsMissing: number;
  /** Runs per fold (training repeats), as given. */
  readonly repeats: number;
}

/**
 * Mean over folds of a per-run value (e.g. test AUC), repeats of a fold averaged first, with a
 * t interval on (folds − 1) degrees of freedom. `perFold[k]` holds fold k's runs; non-finite
 * values are ignored and a fold without any finite value is left out (and counted).
 */
export function foldInterval(perFold: readonly (readonly number[])[], level = 0.95): FoldEstimate {
  const means = foldMeans(perFold);
  const kept = means.filter(Number.isFinite);
  const base = {
    perFold: kept,
    foldsMissing: means.length - kept.length,
    repeats: Math.max(0, ...perFold.map((f) => f.length)),
  };
  return { ...base, ...tEstimate(kept, level) };
}

/**
 * A − B over folds both arms ran: per fold, the mean of A's runs minus the mean of B's (the
 * same test patients), then a paired t over folds: interval and two-sided p.
 */
export function foldDifference(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  level = 0.95,
): DifferenceEstimate & { perFold: readonly number[] } {
  if (a.length !== b.length) throw new Error(`${a.length} folds compared with ${b.length}`);
  const ma = foldMeans(a), mb = foldMeans(b);
  const d = ma.map((x, k) => x - mb[k]).filter(Number.isFinite);
  const est = tEstimate(d, level);
  return { ...est, p: tP(est.estimate, est.se, est.df), perFold: d };
}

/**
 * The mean AUC of M models scored on one test set, with an interval from a patient bootstrap
 * (the same draw for every model) plus the models' spread (training noise) ÷ M. `scores[m]` are
 * model m's scores of the images; `groups` their patients.
 */
export function sharedTestInterval(
  scores: readonly (readonly number[])[],
  labels: readonly number[],
  groups: readonly string[],
  options: { resamples: number; seed?: number; level?: number },
): Estimate & { perModel: readonly number[]; seTest: number; seTrain: number } {
  const perModel = scores.map((s) => auc(s, labels));
  const draws = bootstrapDraws(labels, groups, options, (idx) => {
    const y = idx.map((i) => labels[i]);
    return mean(scores.map((s) => auc(idx.map((i) => s[i]), y)));
  });
  const est = componentsEstimate(perModel, draws, options.level ?? 0.95);
  return { ...onLogitScale(est), perModel };
}

/**
 * Any statistic of M models on one test set (e.g. the mean AUC over findings of a multi-label
 * model, or A − B of paired models): `stat(m, idx)` evaluates model m on the images `idx` (a
 * bootstrap draw of patients, or all images). Same two variance parts as
 * {@link sharedTestInterval}; `valid(idx)` rejects draws the statistic is undefined on.
 */
export function sharedTestStatistic(
  models: number,
  groups: readonly string[],
  stat: (model: number, idx: readonly number[]) => number,
  options: {
    resamples: number;
    seed?: number;
    level?: number;
    valid?: (idx: readonly number[]) => boolean;
  },
): Estimate & { perModel: readonly number[]; seTest: number; seTrain: number; p: number } {
  const all = groups.map((_, i) => i);
  const perModel = Array.from({ length: models }, (_, m) => stat(m, all));
  const clusters = clusterIndices(groups);
  const rng = new Rng(options.seed ?? 0);
  const draws: number[] = [];
  for (let t = 0; draws.length < options.resamples && t < options.resamples * 10; t++) {
    const idx = drawClusters(clusters, rng);
    if (options.valid && !options.valid(idx)) continue;
    const v = mean(Array.from({ length: models }, (_, m) => stat(m, idx)));
    if (Number.isFinite(v)) draws.push(v);
  }
  if (draws.length < options.resamples / 2) {
    throw new Error("too few bootstrap draws had a value: too few positives or negatives");
  }
  const est = componentsEstimate(perModel, draws, options.level ?? 0.95);
  return { ...est, perModel, p: tP(est.estimate, est.se, est.df) };
}

/**
 * A − B on one test set, where model m of A is paired with model m of B (e.g. the same
 * training seed under two ways of splitting): the same two variance parts as
 * {@link sharedTestInterval}, on the paired differences.
 */
export function sharedTestDifference(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  labels: readonly number[],
  groups: readonly string[],
  options: { resamples: number; seed?: number; level?: number },
): DifferenceEstimate & { perModel: readonly number[]; seTest: number; seTrain: number } {
  if (a.length !== b.length) throw new Error(`${a.length} models paired with ${b.length}`);
  const perModel = a.map((s, m) => auc(s, labels) - auc(b[m], labels));
  const draws = bootstrapDraws(labels, groups, options, (idx) => {
    const y = idx.map((i) => labels[i]);
    return mean(a.map((s, m) => auc(idx.map((i) => s[i]), y) - auc(idx.map((i) => b[m][i]), y)));
  });
  const est = componentsEstimate(perModel, draws, options.level ?? 0.95);
  return { ...est, p: tP(est.estimate, est.se, est.df), perModel };
}

/**
 * An AUC's interval computed on the logit scale (delta method: se / (A(1 − A))) and mapped
 * back: it stays inside (0, 1), and it is asymmetric where the AUC's sampling distribution is
 * (near 1 the spread is smaller above than below). In the simulation of small test sets it
 * covers closer to 95% than the symmetric interval. Left as it is at 0 or 1.
 */
export function onLogitScale<E extends Estimate>(e: E): E {
  const a = e.estimate;
  if (!(a > 0 && a < 1) || !Number.isFinite(e.se)) return e;
  const logit = Math.log(a / (1 - a));
  const half = quantileT(e.level, e.df) * e.se / (a * (1 - a));
  const back = (x: number) => 1 / (1 + Math.exp(-x));
  return { ...e, lo: back(logit - half), hi: back(logit + half) };
}

/** The interval of an estimate at another level (same standard error and df). */
export function atLevel<E extends Estimate>(e: E, level: number): E {
  if (!Number.isFinite(e.se)) return { ...e, level };
  const half = quantileT(level, e.df) * e.se;
  return { ...e, lo: e.estimate - half, hi: e.estimate + half, level };
}

// ---------------------------------------------------------------------------------------------

function foldMeans(perFold: readonly (readonly number[])[]): number[] {
  return perFold.map((runs) => {
    const ok = runs.filter(Number.isFinite);
    return ok.length ? mean(ok) : NaN;
  });
}

function tEstimate(values: readonly number[], level: number): Estimate {
  const n = values.length;
  if (n === 0) return { estimate: NaN, lo: NaN, hi: NaN, se: NaN, df: NaN, level };
  const { mean: m, sd } = meanSd(values);
  if (n < 2) return { estimate: m, lo: NaN, hi: NaN, se: NaN, df: 0, level };
  const se = sd / Math.sqrt(n);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * se;
  return { estimate: m, lo: m - half, hi: m + half, se, df: n - 1, level };
}

// Two-sided p of "the mean is 0" for a t statistic with `df` degrees of freedom.
function tP(estimate: number, se: number, df: number): number {
  if (!Number.isFinite(estimate) || !(df > 0)) return NaN;
  if (se === 0) return estimate === 0 ? 1 : 0;
  const t = Math.abs(estimate / se);
  const tail = Number.isFinite(df) ? 1 - studentTCdf(t, df) : 1 - normalCdf(t);
  return Math.min(1, 2 * tail);
}

// The two-sided quantile; a normal one (as t with very many df) when df is infinite.
function quantileT(level: number, df: number): number {
  const q = 1 - (1 - level) / 2;
  return studentTQuantile(q, Number.isFinite(df) ? df : 1e7);
}

// Bootstrap variance (test sampling) + spread of the per-model values ÷ M (training noise),
// Welch–Satterthwaite degrees of freedom.
function componentsEstimate(
  perModel: readonly number[],
  draws: readonly number[],
  level: number,
): Estimate & { seTest: number; seTrain: number } {
  const m = perModel.length;
  const estimate = mean(perModel);
  const varTest = variance(draws);
  const varTrain = m > 1 ? variance(perModel) / m : 0;
  const v = varTest + varTrain;
  const df = varTrain > 0 ? (v * v) / ((varTrain * varTrain) / (m - 1)) : Infinity;
  const se = Math.sqrt(v);
  const half = quantileT(level, df) * se;
  return {
    estimate,
    lo: estimate - half,
    hi: estimate + half,
    se,
    df,
    level,
    seTest: Math.sqrt(varTest),
    seTrain: Math.sqrt(varTrain),
  };
}

function bootstrapDraws(
  labels: readonly number[],
  groups: readonly string[],
  options: { resamples: number; seed?: number },
  stat: (idx: number[]) => number,
): number[] {
  if (groups.length !== labels.length) {
    throw new Error(`${groups.length} groups for ${labels.length} images`);
  }
  const clusters = clusterIndices(groups);
  const rng = new Rng(options.seed ?? 0);
  const out: number[] = [];
  for (let tries = 0; out.length < options.resamples && tries < options.resamples * 10; tries++) {
    const idx = drawClusters(clusters, rng);
    let pos = 0;
    for (const i of idx) pos += labels[i];
    if (pos === 0 || pos === idx.length) continue;
    out.push(stat(idx));
  }
  if (out.length < options.resamples / 2) {
    throw new Error("too few bootstrap draws held both classes: too few positives or negatives");
  }
  return out;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return meanSd(values).sd ** 2;
}
