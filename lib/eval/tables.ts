/**
 * Per-class AUC tables for multi-label outputs (the 14 ChestX-ray14 findings), with
 * patient-level bootstrap intervals and the mean over classes.
 * @module
 */
import { Rng } from "../rng.ts";
import { bootstrapAuc, clusterIndices, drawClusters } from "./bootstrap.ts";
import { auc } from "./roc.ts";
import { quantile } from "./stats.ts";

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
): {
  rows: ClassAuc[];
  meanAuc: number | undefined;
  /** 95% interval of the mean AUC, from the same patient bootstrap (classes present in a draw). */
  meanCi: [number, number] | undefined;
  classesWithAuc: number;
} {
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
    meanCi: defined.length ? meanAucInterval(scores, labels, rows, options) : undefined,
    classesWithAuc: defined.length,
  };
}

// Resample patients; in each draw average the AUCs of the classes that have both labels in it.
function meanAucInterval(
  scores: readonly ArrayLike<number>[],
  labels: readonly ArrayLike<number>[],
  rows: readonly ClassAuc[],
  options: PerClassOptions,
): [number, number] {
  const groups = options.groups ?? labels.map((_, i) => String(i));
  const clusters = clusterIndices(groups);
  const rng = new Rng(options.seed ?? 0);
  const classes = rows.map((r, c) => (r.auc === undefined ? -1 : c)).filter((c) => c >= 0);
  const means: number[] = [];
  for (let k = 0; k < (options.resamples ?? 2000); k++) {
    const idx = drawClusters(clusters, rng);
    const aucs: number[] = [];
    for (const c of classes) {
      const y = idx.map((i) => labels[i][c]);
      const pos = y.reduce((a, b) => a + b, 0);
      if (pos === 0 || pos === y.length) continue;
      aucs.push(auc(idx.map((i) => scores[i][c]), y));
    }
    if (aucs.length) means.push(aucs.reduce((a, b) => a + b, 0) / aucs.length);
  }
  return [quantile(means, 0.025), quantile(means, 0.975)];
}
