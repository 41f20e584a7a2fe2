/**
 * ROC curve and AUC, written out because they are part of the lesson.
 *
 * The ROC curve lowers a threshold from +∞ and plots the true-positive rate against the
 * false-positive rate. Images with the same score cross the threshold together, so ties make
 * one diagonal step, not a staircase. AUC is the area under that curve, which equals the
 * probability that a random positive scores above a random negative, counting ties as ½
 * (the Mann–Whitney statistic).
 * @module
 */

/** One point of the ROC curve. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
  /** Images scoring ≥ this are called positive (+∞ for the first point). */
  readonly threshold: number;
}

/** Raised when AUC is undefined: no positives or no negatives. */
export class OneClassError extends Error {
  constructor(positives: number, negatives: number) {
    super(`AUC needs both classes (got ${positives} positives, ${negatives} negatives)`);
    this.name = "OneClassError";
  }
}

/** The ROC curve: one point per distinct score, from (0, 0) to (1, 1). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const { order, positives, negatives } = prepare(scores, labels);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0, fp = 0;
  for (let k = 0; k < order.length;) {
    const threshold = scores[order[k]];
    // take every image with this score at once (ties)
    while (k < order.length && scores[order[k]] === threshold) {
      if (labels[order[k]] === 1) tp++;
      else fp++;
      k++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives, threshold });
  }
  return points;
}

/**
 * The operating threshold that maximises Youden's J = TPR − FPR on a (validation) set: the ROC
 * point farthest above the diagonal. Scores ≥ the threshold are called positive.
 */
export function youdenThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { threshold: number; tpr: number; fpr: number } {
  const best = rocCurve(scores, labels).filter((p) => Number.isFinite(p.threshold))
    .reduce((b, p) => (p.tpr - p.fpr > b.tpr - b.fpr ? p : b));
  return { threshold: best.threshold, tpr: best.tpr, fpr: best.fpr };
}

/** Area under the ROC curve (trapezoids; exact for ties). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const curve = rocCurve(scores, labels);
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    area += (curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr) / 2;
  }
  return area;
}

function prepare(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  if (scores.length !== labels.length) {
    throw new Error(`${scores.length} scores but ${labels.length} labels`);
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new Error(`label ${i} is ${labels[i]}, not 0 or 1`);
    }
    if (Number.isNaN(scores[i])) throw new Error(`score ${i} is NaN`);
    positives += labels[i];
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new OneClassError(positives, negatives);
  const order = Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[b] - scores[a]);
  return { order, positives, negatives };
}
