/**
 * Chapter 1's tables and conclusions: what the data holds, and what it means for the rest.
 * @module
 */
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import type { SkippedRow } from "../data/record.ts";
import type { Fold } from "../data/folds.ts";
import type { NihSplit } from "../experiments/study_data.ts";
import { DISTINCT_COLOURS } from "../viz/figures.ts";
import { Plot, showPlot } from "../viz/plot.ts";
import type { ChapterSummary } from "../report/summary.ts";

/** Images, the share without a finding, and patients, per stored image size. */
export function findingByStoredSize(
  records: readonly NihRecord[],
  sizes: ReadonlyMap<string, string>,
): { size: string; images: number; "no finding": string; patients: number }[] {
  const bySize = new Map<string, NihRecord[]>();
  for (const r of records) {
    const s = sizes.get(r.path) ?? "?";
    bySize.set(s, [...(bySize.get(s) ?? []), r]);
  }
  return [...bySize.entries()].sort((a, b) => b[1].length - a[1].length).map(([size, rs]) => ({
    size,
    images: rs.length,
    "no finding": `${
      (100 * rs.filter((r) => r.findings.length === 0).length / rs.length)
        .toFixed(0)
    }%`,
    patients: new Set(rs.map((r) => r.patientId)).size,
  }));
}

/** What chapter 1 saves. */
export interface DataResults extends Record<string, unknown> {
  readonly covid: {
    readonly overview: readonly { quantity: string; count: number }[];
    readonly licences: Readonly<Record<string, number>>;
    readonly covid19: number;
    readonly other: number;
    readonly patients: number;
    readonly mergedGroups: number;
    readonly copiesAcrossPatients: number;
  };
  readonly nih: {
    readonly overview: readonly { quantity: string; count: number }[];
    readonly images: number;
    readonly patients: number;
    readonly usable: number;
    readonly side: number;
    readonly bySize: readonly { size: string; images: number; "no finding": string }[];
  };
  /** What the chapters use: the COVID-19 task after merging, ChestX-ray14 at the side. */
  readonly used: {
    readonly covid: {
      readonly images: number;
      readonly patients: number;
      readonly covid19: number;
      readonly other: number;
    };
    readonly nih: { readonly images: number; readonly patients: number };
  };
  readonly folds: readonly Record<string, number>[];
  readonly nihParts: readonly Record<string, string | number>[];
}

/** Chapter 1's summary. */
export function summariseData(r: DataResults): ChapterSummary {
  const c = r.covid, n = r.nih;
  const share = (100 * c.covid19 / (c.covid19 + c.other)).toFixed(0);
  return {
    found: [
      `COVID-19 collection: ${c.covid19 + c.other} labelled frontal X-rays of ${c.patients} ` +
      `patients, ${share}% COVID-19; ${c.copiesAcrossPatients} images appear under two patient ` +
      `ids, so ${c.mergedGroups} groups of patients are merged before any split.`,
      `ChestX-ray14 here: ${n.images} images of ${n.patients} patients; ${n.usable} are stored ` +
      `at ≥ ${n.side} px and used. Stored size goes with the label: ${
        n.bySize.map((s) => `${s["no finding"]} of ${s.size} images have no finding`).join(", ")
      } — one reason smaller images are left out rather than enlarged.`,
    ],
    cannotSay: [
      `Anything at the study's scale: our ChestX-ray14 sample is ${n.images} of 112,120 ` +
      "images, and every later chapter says so next to its numbers.",
      "Whether the two collections differ only in disease: they differ in source, device, " +
      "resolution and view too (chapters 3 and 6 measure how much that alone explains).",
    ],
  };
}

/** Counts of the COVID-19 collection after filtering, as table rows. */
export function covidOverview(
  covid: { rows: number; records: readonly CovidRecord[]; skipped: readonly SkippedRow[] },
): { quantity: string; count: number }[] {
  const kept = covid.records;
  const todo = covid.skipped.filter((s) => s.reason === "todo").length;
  const positives = kept.filter((r) => r.covid).length;
  return [
    { quantity: "rows in metadata.csv", count: covid.rows },
    { quantity: "frontal X-rays with the file present", count: kept.length + todo },
    { quantity: "… labelled COVID-19", count: positives },
    { quantity: "… labelled other", count: kept.length - positives },
    { quantity: "… not yet labelled (todo)", count: todo },
    { quantity: "patients of the labelled images", count: patientCount(kept) },
  ];
}

/** Counts of ChestX-ray14 on disk, as table rows. */
export function nihOverview(
  nih: { rows: number; records: readonly NihRecord[]; skipped: readonly SkippedRow[] },
): { quantity: string; count: number }[] {
  const inList = (s: string) => nih.records.filter((r) => r.officialSplit === s).length;
  return [
    { quantity: "rows in the label file", count: nih.rows },
    { quantity: "images on disk (records)", count: nih.records.length },
    { quantity: "… in the official train_val list", count: inList("train_val") },
    { quantity: "… in the official test list", count: inList("test") },
    { quantity: "… with no finding", count: nih.records.filter((r) => !r.findings.length).length },
    { quantity: "patients", count: patientCount(nih.records) },
    { quantity: "rows skipped (malformed, unknown label, no split)", count: nih.skipped.length },
  ];
}

/** The COVID-19 collection's folds: what each tests, one row per fold. */
export function covidFoldSizes(folds: readonly Fold<CovidRecord>[]): Record<string, number>[] {
  return folds.map((f) => ({
    fold: f.fold,
    "test images": f.test.length,
    "test patients": patientCount(f.test),
    "COVID-19": f.test.filter((r) => r.covid).length,
    other: f.test.filter((r) => !r.covid).length,
    "train / validation images": f.train.length,
  })).map((row, k) => ({
    ...row,
    "train / validation images": row["train / validation images"] + folds[k].val.length,
  }));
}

/** ChestX-ray14's parts: train, validation, gate, test (images, with a finding, patients). */
export function nihPartSizes(split: NihSplit): Record<string, string | number>[] {
  return (["train", "val", "gate", "test"] as const).map((part) => ({
    part,
    images: split[part].length,
    "with a finding": split[part].filter((r) => r.findings.length).length,
    patients: patientCount(split[part]),
  }));
}

/** View position by label, both collections, as a faceted bar chart. */
export function showViews(
  covid: readonly CovidRecord[],
  nih: readonly NihRecord[],
): Promise<void> {
  const rows = [
    ...covid.map((r) => ({
      dataset: "COVID-19 collection",
      view: r.view,
      label: r.covid ? "COVID-19" : "other",
    })),
    ...nih.map((r) => ({
      dataset: "ChestX-ray14",
      view: r.view,
      label: r.findings.length ? "finding" : "no finding",
    })),
  ];
  return showPlot({
    caption: "View position by label, in each collection.",
    marginLeft: 90,
    x: { label: "images", grid: true },
    y: { label: null },
    fy: { label: null },
    color: { legend: true, range: [...DISTINCT_COLOURS] },
    marks: [
      Plot.barX(rows, Plot.groupY({ x: "count" }, { y: "view", fy: "dataset", fill: "label" })),
    ],
  }, "view positions");
}

function patientCount(records: readonly { patientId: string }[]): number {
  return new Set(records.map((r) => r.patientId)).size;
}

/** What chapter 1 saves, assembled from what its cells computed. */
export function dataResults(d: {
  covid: { rows: number; records: readonly CovidRecord[]; skipped: readonly SkippedRow[] };
  nih: { rows: number; records: readonly NihRecord[]; skipped: readonly SkippedRow[] };
  merged: {
    groups: readonly unknown[];
    pairs: readonly { a: CovidRecord; b: CovidRecord }[];
    records: readonly CovidRecord[];
  };
  usable: readonly NihRecord[];
  side: number;
  bySize: DataResults["nih"]["bySize"];
  folds: readonly Record<string, number>[];
  nihParts: readonly Record<string, string | number>[];
  usedNih: NihSplit;
}): DataResults {
  const positives = d.covid.records.filter((r) => r.covid).length;
  const usedNih = [d.usedNih.train, d.usedNih.val, d.usedNih.gate, d.usedNih.test].flat();
  const licences = new Map<string, number>();
  for (const r of d.covid.records) {
    const l = r.license || "none stated";
    licences.set(l, (licences.get(l) ?? 0) + 1);
  }
  return {
    covid: {
      overview: covidOverview(d.covid),
      covid19: positives,
      other: d.covid.records.length - positives,
      patients: patientCount(d.covid.records),
      mergedGroups: d.merged.groups.length,
      copiesAcrossPatients: d.merged.pairs.filter((p) => p.a.patientId !== p.b.patientId).length,
      licences: Object.fromEntries(licences),
    },
    nih: {
      overview: nihOverview(d.nih),
      images: d.nih.records.length,
      patients: patientCount(d.nih.records),
      usable: d.usable.length,
      side: d.side,
      bySize: d.bySize,
    },
    used: {
      covid: {
        images: d.merged.records.length,
        patients: patientCount(d.merged.records),
        covid19: d.merged.records.filter((r) => r.covid).length,
        other: d.merged.records.filter((r) => !r.covid).length,
      },
      nih: {
        images: usedNih.length,
        patients: patientCount(usedNih),
      },
    },
    folds: d.folds,
    nihParts: d.nihParts,
  };
}
