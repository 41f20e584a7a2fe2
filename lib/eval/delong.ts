/**
 * DeLong's test for two correlated AUCs measured on the same images (DeLong, DeLong &
 * Clarke-Pearson 1988). It treats images as independent; with several images per patient,
 * prefer {@link pairedBootstrapAucDifference}, which resamples patients.
 * @module
 */
import { OneClassError } from "./roc.ts";
import { normalCdf } from "./stats.ts";

/** Result of {@link delongTest}. */
export interface DelongResult {
  readonly aucA: number;
  readonly aucB: number;
  readonly difference: number;
  /** Standard error of the difference. */
  readonly se: number;
  readonly z: number;
  /** Two-sided p-value. */
  readonly p: number;
}

/** Test H0: AUC(a) = AUC(b) for two models' scores on the same labelled images. */
export function delongTest(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  labels: ArrayLike<number>,
): DelongResult {
  const { pos, neg } = splitByLabel(labels);
  const a = components(scoresA, pos, neg);
  const b = components(scoresB, pos, neg);
  // covariance of the structural components, over positives (V10) and negatives (V01)
  const s10 = covariance2(a.v10, b.v10);
  const s01 = covariance2(a.v01, b.v01);
  const m = pos.length, n = neg.length;
  const varA = s10.xx / m + s01.xx / n;
  const varB = s10.yy / m + s01.yy / n;
  const cov = s10.xy / m + s01.xy / n;
  const se = Math.sqrt(Math.max(varA + varB - 2 * cov, 0));
  const difference = a.auc - b.auc;
  const z = se > 0 ? difference / se : difference === 0 ? 0 : Infinity * Math.sign(difference);
  return { aucA: a.auc, aucB: b.auc, difference, se, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Variance of one AUC by DeLong's method (its square root is the standard error). */
export function delongVariance(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { pos, neg } = splitByLabel(labels);
  const c = components(scores, pos, neg);
  return covariance2(c.v10, c.v10).xx / pos.length + covariance2(c.v01, c.v01).xx / neg.length;
}

function splitByLabel(labels: ArrayLike<number>): { pos: number[]; neg: number[] } {
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(i);
  if (pos.length < 2 || neg.length < 2) throw new OneClassError(pos.length, neg.length);
  return { pos, neg };
}

// V10[i]: share of negatives that positive i outscores (ties ½); V01[j]: share of positives
// that outscore negative j. Their means are the AUC.
function components(scores: ArrayLike<number>, pos: number[], neg: number[]) {
  const v10 = pos.map((i) => {
    let s = 0;
    for (const j of neg) s += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    return s / neg.length;
  });
  const v01 = neg.map((j) => {
    let s = 0;
    for (const i of pos) s += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    return s / pos.length;
  });
  return { v10, v01, auc: v10.reduce((x, y) => x + y, 0) / pos.length };
}

function covariance2(x: number[], y: number[]) {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < n; i++) {
    xx += (x[i] - mx) ** 2;
    yy += (y[i] - my) ** 2;
    xy += (x[i] - mx) * (y[i] - my);
  }
  return { xx: xx / (n - 1), yy: yy / (n - 1), xy: xy / (n - 1) };
}
