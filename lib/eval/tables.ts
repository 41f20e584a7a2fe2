/**
 * Per-class AUC tables for multi-label outputs (the 14 ChestX-ray14 findings), with
 * patient-level bootstrap intervals and the mean over classes.
 * @module
 */
import { bootstrapAuc } from "./bootstrap.ts";

/** One row of a per-class table. */
export interface ClassAuc {
  readonly label: string;
  readonly positives: number;
  readonly negatives: number;
  /** Undefined when the test set has no positive (or no negative) for this class. */
  readonly auc?: number;
  readonly lo?: number;
  readonly hi?: number;
}

/** Options for {@link perClassAuc}. */
export interface PerClassOptions {
  readonly groups?: readonly string[];
  readonly resamples?: number;
  readonly seed?: number;
}

/** AUC and 95% CI per class; `scores[i][c]` and `labels[i][c]` for image i, class c. */
export function perClassAuc(
  scores: readonly ArrayLike<number>[],
  labels: readonly ArrayLike<number>[],
  classes: readonly string[],
  options: PerClassOptions = {},
): { rows: ClassAuc[]; meanAuc: number | undefined; classesWithAuc: number } {
  if (scores.length !== labels.length) {
    throw new Error(`${scores.length} score rows but ${labels.length} label rows`);
  }
  const rows = classes.map((label, c) => {
    const s = scores.map((row) => row[c]);
    const y = labels.map((row) => row[c]);
    const positives = y.reduce((a, b) => a + b, 0);
    const negatives = y.length - positives;
    if (positives === 0 || negatives === 0) return { label, positives, negatives };
    const ci = bootstrapAuc(s, y, {
      groups: options.groups,
      resamples: options.resamples,
      seed: options.seed,
    });
    return { label, positives, negatives, auc: ci.auc, lo: ci.lo, hi: ci.hi };
  });
  const defined = rows.filter((r) => r.auc !== undefined);
  return {
    rows,
    meanAuc: defined.length ? defined.reduce((a, r) => a + r.auc!, 0) / defined.length : undefined,
    classesWithAuc: defined.length,
  };
}
