/**
 * The 15-class relabelling of the two collections (chapters 6 and 7): ChestX-ray14's 14
 * findings and COVID-19 as one label vector, read from the shared vocabulary that
 * `mergeRecords` gives every record, whatever its source.
 * @module
 */
import type { CovidRecord, NihRecord } from "./datasets/mod.ts";
import { labelVector, NIH_FINDINGS } from "./record.ts";

/** The 15 classes: the ChestX-ray14 findings, then COVID-19. */
export const FIFTEEN_CLASSES = [...NIH_FINDINGS, "COVID-19"] as const;

/** A record of the 15-class set. */
export type FifteenRecord = NihRecord | CovidRecord;

/** The 15 yes/no labels of a record, read from the shared vocabulary (whatever its source). */
export function fifteenLabels(r: FifteenRecord): number[] {
  return labelVector(r, FIFTEEN_CLASSES);
}

/** Index of the COVID-19 output among the 15. */
export const COVID_OUTPUT = FIFTEEN_CLASSES.length - 1;
