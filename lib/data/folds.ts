/**
 * K-fold cross-validation by patient: the patients are dealt into K folds (stratified and
 * seeded, as {@link patientSplit} deals splits), and fold k is tested once by a model that
 * trained on the others. So every patient is tested exactly once, and the K test sets are
 * disjoint — their results are independent draws of test sampling, which repeated random
 * splits (whose test sets overlap) are not. Inside each fold, the next fold is the validation
 * set (for picking the epoch) and the remaining K − 2 folds train.
 * @module
 */
import type { XrayRecord } from "./record.ts";
import { deriveSeed, Rng } from "../rng.ts";
import { assertPatientsDisjoint, groupByPatient, type Splits } from "./splits.ts";

/** One fold of a cross-validation: the records a model trains, validates and is tested on. */
export interface Fold<R> extends Splits<R> {
  /** 0 … K−1: the fold whose patients are tested. */
  readonly fold: number;
}

/** Options for {@link crossValidationFolds}. */
export interface FoldOptions<R> {
  /** Number of folds, ≥ 3 (one tests, one validates, the rest train). */
  readonly k: number;
  readonly seed: number;
  /** The class a patient is stratified by, from all of the patient's records. */
  readonly stratum?: (patientRecords: readonly R[]) => string;
  /**
   * What a fold deals: whole patients (default, the only honest choice when patients have
   * several images), or single images — the study's image-level split, kept to measure what
   * it inflates.
   */
  readonly unit?: "patient" | "image";
}

/**
 * The K folds of `records`: fold k tests part k, validates on part k+1 (mod K) and trains on
 * the rest. With `unit: "patient"` no patient is in two parts (checked).
 */
export function crossValidationFolds<R extends XrayRecord>(
  records: readonly R[],
  options: FoldOptions<R>,
): Fold<R>[] {
  const { k } = options;
  if (!Number.isInteger(k) || k < 3) {
    throw new Error(`cross-validation needs k ≥ 3 folds, got ${k}`);
  }
  const parts = dealParts(records, options);
  return parts.map((test, fold) => {
    const val = parts[(fold + 1) % k];
    const train = parts.filter((_, j) => j !== fold && j !== (fold + 1) % k).flat();
    const out = { fold, train, val, test };
    if ((options.unit ?? "patient") === "patient") assertPatientsDisjoint({ train, val, test });
    return out;
  });
}

/** The fold each record is tested in (by `source/imageId`), for pooling out-of-fold scores. */
export function testFoldOf<R extends XrayRecord>(folds: readonly Fold<R>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of folds) for (const r of f.test) out.set(`${r.source}/${r.imageId}`, f.fold);
  return out;
}

// K parts of about equal size: within each stratum the units (patients, or images) are shuffled
// with the seed and each is dealt to the part furthest below its share of the stratum's images,
// so parts stay balanced in images even when patients have many.
function dealParts<R extends XrayRecord>(records: readonly R[], options: FoldOptions<R>): R[][] {
  const byImage = (options.unit ?? "patient") === "image";
  const groups = byImage ? records.map((r) => [r]) : [...groupByPatient(records).values()];
  const stratumOf = options.stratum ?? (() => "all");
  const byStratum = new Map<string, R[][]>();
  for (const g of groups) {
    const s = stratumOf(g);
    byStratum.set(s, [...(byStratum.get(s) ?? []), g]);
  }
  const parts: R[][] = Array.from({ length: options.k }, () => []);
  const rng = new Rng(deriveSeed(options.seed, "folds", byImage ? "image" : "patient"));
  for (const stratum of [...byStratum.keys()].sort()) {
    const units = rng.shuffle(byStratum.get(stratum)!);
    const taken = new Array<number>(options.k).fill(0);
    for (const unit of units) {
      // the part with the fewest images of this stratum so far; ties to the lowest index
      const j = taken.indexOf(Math.min(...taken));
      taken[j] += unit.length;
      parts[j].push(...unit);
    }
  }
  return parts;
}
