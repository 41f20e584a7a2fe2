/**
 * COVID-19 collection splits: by patient, stratified on whether the patient has any COVID-19
 * image. The study split by image; we never do.
 * @module
 */
import type { CovidRecord } from "./records.ts";
import { patientSplit, type SplitFractions, type Splits } from "./splits.ts";

/** The default shares of images: 60% train, 20% validation, 20% test. */
export const COVID_SPLIT_FRACTIONS: SplitFractions = { train: 0.6, val: 0.2, test: 0.2 };

/** Seeded, stratified patient-level split of COVID-19 collection records. */
export function covidSplit(
  records: readonly CovidRecord[],
  seed: number,
  fractions: SplitFractions = COVID_SPLIT_FRACTIONS,
): Splits<CovidRecord> {
  return patientSplit(records, {
    fractions,
    seed,
    stratum: (images) => (images.some((r) => r.covid) ? "COVID-19" : "other"),
  });
}
