/**
 * One record shape for every source, so nothing downstream knows which CSV an image came from.
 * @module
 */

/** Which dataset a record comes from. */
export type Source = "covid-chestxray" | "nih-chestxray14";

/** The 14 ChestX-ray14 findings, in the dataset's (and the study's table's) order. */
export const NIH_FINDINGS = [
  "Atelectasis",
  "Cardiomegaly",
  "Effusion",
  "Infiltration",
  "Mass",
  "Nodule",
  "Pneumonia",
  "Pneumothorax",
  "Consolidation",
  "Edema",
  "Emphysema",
  "Fibrosis",
  "Pleural_Thickening",
  "Hernia",
] as const;

/** One of the 14 ChestX-ray14 findings. */
export type NihFinding = typeof NIH_FINDINGS[number];

/** One X-ray image with its labels. */
export interface XrayRecord {
  readonly source: Source;
  /** File name, unique within the source. */
  readonly imageId: string;
  /** Absolute path of the image file. */
  readonly path: string;
  /** Patient identifier as in the source (unique within the source). */
  readonly patientId: string;
  /** View position as in the source (`PA`, `AP`, `AP Supine`, …). */
  readonly view: string;
  /** Finding names; empty means no finding. */
  readonly findings: readonly string[];
  /** The finding field exactly as in the source. */
  readonly findingText: string;
}

/** A COVID-19 collection record: binary label of the study plus the image licence. */
export interface CovidRecord extends XrayRecord {
  readonly source: "covid-chestxray";
  /** True when the finding mentions COVID-19. */
  readonly covid: boolean;
  readonly license: string;
  /** 1-based line of the row in `metadata.csv`. */
  readonly line: number;
}

/** Official ChestX-ray14 split list a record belongs to. */
export type NihOfficialSplit = "train_val" | "test";

/** A ChestX-ray14 record: multi-label over {@link NIH_FINDINGS}. */
export interface NihRecord extends XrayRecord {
  readonly source: "nih-chestxray14";
  readonly findings: readonly NihFinding[];
  readonly officialSplit: NihOfficialSplit;
  readonly age: number | undefined;
  readonly sex: string;
}

/** Source and patient together: the key splits must keep on one side. */
export function patientKey(record: XrayRecord): string {
  return `${record.source}/${record.patientId}`;
}

/** The 0/1 vector of `classes` present in a record's findings. */
export function labelVector(record: XrayRecord, classes: readonly string[]): number[] {
  return classes.map((c) => (record.findings.includes(c) ? 1 : 0));
}

/** Why a source row was left out. */
export type SkipReason =
  | "ct"
  | "lateral-view"
  | "unknown-view"
  | "missing-file"
  | "todo"
  | "malformed-row"
  | "unknown-finding"
  | "not-in-split-lists"
  | "bad-image"
  | "unsafe-path";

/** A row that did not become a record, and why. Nothing is dropped without one of these. */
export interface SkippedRow {
  readonly file: string;
  /** 1-based line in the CSV, when the skip comes from a CSV row. */
  readonly line?: number;
  readonly imageId?: string;
  readonly patientId?: string;
  readonly reason: SkipReason;
  readonly detail: string;
}

/** Count skipped rows per reason. */
export function countByReason(skipped: readonly SkippedRow[]): Partial<Record<SkipReason, number>> {
  const counts: Partial<Record<SkipReason, number>> = {};
  for (const s of skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}
