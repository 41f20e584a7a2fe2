/**
 * ChestX-ray14 splits: the official test list stays the test set; validation is a seeded,
 * patient-level cut of the official train_val list.
 * @module
 */
import type { NihRecord } from "./records.ts";
import { assertPatientsDisjoint, patientSplit, type Splits } from "./splits.ts";

/** Options for {@link nihSplit}. */
export interface NihSplitOptions {
  /** Share of train_val images moved to validation (default 0.2). */
  readonly valFraction?: number;
  readonly seed: number;
}

/** Train/validation from the official train_val list, test from the official test list. */
export function nihSplit(
  records: readonly NihRecord[],
  options: NihSplitOptions,
): Splits<NihRecord> {
  const valFraction = options.valFraction ?? 0.2;
  const trainVal = records.filter((r) => r.officialSplit === "train_val");
  const test = records.filter((r) => r.officialSplit === "test");
  const cut = patientSplit(trainVal, {
    fractions: { train: 1 - valFraction, val: valFraction, test: 0 },
    seed: options.seed,
    // stratify on "any finding" so both sides see sick and healthy patients
    stratum: (images) => (images.some((r) => r.findings.length > 0) ? "finding" : "no-finding"),
  });
  const splits = { train: cut.train, val: cut.val, test };
  assertPatientsDisjoint(splits);
  return splits;
}
