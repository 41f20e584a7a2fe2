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
  /** Positive images. */
  readonly positives: number;
  readonly negatives: number;
  /** Patients with at least one positive image. */
  readonly positivePatients: number;
  /**
   * `ok`; `too-few`: fewer positive patients than the table's minimum, so no AUC is shown;
   * `one-class`: no positive or no negative image at all.
   */
  readonly status: "ok" | "too-few" | "one-class";
  /** Undefined unless `status` is `ok`. */
  readonly auc?: number;
  readonly lo?: number;
  readonly hi?: number;
}

/** Options for {@link perClassAuc}. */
export interface PerClassOptions {
  /** Patient of each image (default: each image its own patient). */
  readonly groups?: readonly string[];
  /**
   * Classes with fewer positive patients get no AUC (status `too-few`): an AUC over 2 or 3
   * patients says almost nothing and its bootstrap interval is unreliable. Default 5.
   */
  readonly minPositivePatients?: number;
  readonly resamples?: number;
  readonly seed?: number;
}

/**
 * AUC and 95% CI per class, with positives counted in images and patients;
 * `scores[i][c]` and `labels[i][c]` for image i, class c. The mean is over classes with an AUC.
 */
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
  const groups = options.groups ?? labels.map((_, i) => String(i));
  const minimum = options.minPositivePatients ?? 5;
  const rows = classes.map((label, c): ClassAuc => {
    const s = scores.map((row) => row[c]);
    const y = labels.map((row) => row[c]);
    const positives = y.reduce((a, b) => a + b, 0);
    const negatives = y.length - positives;
    const positivePatients = new Set(groups.filter((_, i) => y[i] === 1)).size;
    const counts = { label, positives, negatives, positivePatients };
    if (positives === 0 || negatives === 0) return { ...counts, status: "one-class" };
    if (positivePatients < minimum) return { ...counts, status: "too-few" };
    const ci = bootstrapAuc(s, y, { groups, resamples: options.resamples, seed: options.seed });
    return { ...counts, status: "ok", auc: ci.auc, lo: ci.lo, hi: ci.hi };
  });
  const defined = rows.filter((r) => r.auc !== undefined);
  return {
    rows,
    meanAuc: defined.length ? defined.reduce((a, r) => a + r.auc!, 0) / defined.length : undefined,
    meanCi: defined.length
      ? meanAucInterval(scores, labels, rows, { ...options, groups })
      : undefined,
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
