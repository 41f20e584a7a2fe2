/**
 * One record shape for every source, so nothing downstream knows which CSV an image came from,
 * and one label vocabulary: the 14 ChestX-ray14 findings, COVID-19, and "other" for findings
 * outside it. Each dataset maps its own labels into the vocabulary at the boundary (its
 * `labels` field); a task then reads labels by name, never by source.
 * @module
 */
import { Rng } from "../rng.ts";

/** Which dataset a record comes from: the key of a registered dataset (see `datasets/`). */
export type Source = string;

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

/** The shared label vocabulary: the 14 findings, COVID-19, and any other finding. */
export const LABELS = [...NIH_FINDINGS, "COVID-19", "other"] as const;

/** A label of the shared vocabulary. */
export type Label = typeof LABELS[number];

const IN_VOCABULARY: ReadonlySet<string> = new Set(LABELS);

/**
 * A source's free-text findings in the vocabulary: names it shares kept, "COVID-19" kept,
 * anything else "other" (once); no finding gives no label.
 */
export function toVocabulary(findings: readonly string[]): Label[] {
  const known = findings.filter((f) => IN_VOCABULARY.has(f)) as Label[];
  const other = findings.some((f) => !IN_VOCABULARY.has(f)) ? ["other" as const] : [];
  return [...new Set([...known, ...other])];
}

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
  /** Finding names as the source writes them; empty means no finding. */
  readonly findings: readonly string[];
  /** The finding field exactly as in the source. */
  readonly findingText: string;
  /** The findings in the shared vocabulary (see {@link LABELS}); empty means no finding. */
  readonly labels: readonly Label[];
}

/** Source and patient together: the key splits must keep on one side. */
export function patientKey(record: XrayRecord): string {
  return `${record.source}/${record.patientId}`;
}

/** The 0/1 vector of `classes` (vocabulary labels) present in a record's labels. */
export function labelVector(record: XrayRecord, classes: readonly Label[]): number[] {
  return classes.map((c) => (record.labels.includes(c) ? 1 : 0));
}

/**
 * Records of several datasets as one list (a record met twice kept once): with labels in one
 * vocabulary, a multi-source task needs no branch on where a record came from. Records keep
 * their source and patient, so patient-level splits and leakage checks still hold per source.
 */
export function mergeRecords<R extends XrayRecord>(
  ...sets: readonly (readonly R[])[]
): R[] {
  const seen = new Set<string>();
  const out: R[] = [];
  for (const set of sets) {
    for (const r of set) {
      const key = `${r.source}/${r.imageId}`;
      if (!seen.has(key)) out.push(r);
      seen.add(key);
    }
  }
  return out;
}

/**
 * At most `max` images, taking whole patients in a seeded order, and keeping the share of
 * each stratum (e.g. COVID-19 vs other) close to the full set's: smaller runs without leakage.
 */
export function limitByPatient<R extends XrayRecord>(
  records: readonly R[],
  max: number,
  seed: number,
  stratum: (r: R) => string = () => "all",
): R[] {
  if (records.length <= max) return [...records];
  const byStratum = new Map<string, Map<string, R[]>>();
  for (const r of records) {
    const s = stratum(r);
    const patients = byStratum.get(s) ?? new Map<string, R[]>();
    patients.set(r.patientId, [...(patients.get(r.patientId) ?? []), r]);
    byStratum.set(s, patients);
  }
  const rng = new Rng(seed);
  const out: R[] = [];
  for (const [s, patients] of [...byStratum.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const share = records.filter((r) => stratum(r) === s).length / records.length;
    const budget = Math.max(1, Math.round(max * share));
    let taken = 0;
    for (const images of rng.shuffle([...patients.values()])) {
      if (taken >= budget) break;
      out.push(...images);
      taken += images.length;
    }
  }
  return out;
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
  | "unsafe-path"
  | "unlabelled"
  | "other-finding"
  | "copy-of-training-image";

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
