/**
 * Chapter 6's conclusions, from its results.
 * @module
 */
import { assertNoLeakage, excludeTrainingPatients } from "../data/leakage.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { labelVector, NIH_FINDINGS, type XrayRecord } from "../data/record.ts";
import { patientSplit, type Splits } from "../data/splits.ts";
import { limitByPatient } from "../data/record.ts";
import type { Verdict } from "../experiments/verdict.ts";
import { STUDY_FIFTEEN_COVID_AUC } from "../study.ts";
import { fmtCi } from "./format.ts";
import type { ChapterSummary } from "./summary.ts";

/** What chapter 6 saves. */
export interface FifteenResults extends Record<string, unknown> {
  readonly scale: string;
  readonly budget: number;
  readonly perClass: readonly { label: string; status: string; auc?: number }[];
  readonly covidCnn: { auc: number; lo: number; hi: number };
  readonly covidControl: { auc: number; lo: number; hi: number };
  readonly comparison: Verdict;
  readonly backbone: string;
  readonly belowBudget: readonly string[];
}

/** Chapter 6's summary. */
export function summariseFifteen(r: FifteenResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  const c = r.covidCnn, k = r.covidControl;
  found.push(
    `COVID-19 one-vs-rest, 15-output head on ${r.backbone}: test AUC ` +
      `${fmtCi(c.auc, c.lo, c.hi)} (study: ${STUDY_FIFTEEN_COVID_AUC}; ${r.scale}).`,
  );
  found.push(
    `A control that sees only the model input's 8×8 thumbnail and intensity ` +
      `histogram reaches ${fmtCi(k.auc, k.lo, k.hi)} on the same test images.`,
  );
  const v = r.comparison;
  if (v.testable && v.pAdjusted! <= 0.05) {
    found.push(`${v.verdict}: the network uses more than global intensity and layout.`);
  } else {
    cannotSay.push(
      `Whether the CNN sees more than the control: ${v.verdict}. The study's ` +
        `${STUDY_FIFTEEN_COVID_AUC} is open to the same explanation: the COVID-19 images come ` +
        "from another collection than every other class.",
    );
  }
  const ok = r.perClass.filter((p) => p.status === "ok" && p.label !== "COVID-19");
  const few = r.perClass.filter((p) => p.status !== "ok").map((p) => p.label);
  if (ok.length) {
    found.push(
      `ChestX-ray14 findings with an AUC: ${
        ok.map((p) => `${p.label} ${p.auc!.toFixed(2)}`).join(", ")
      }.`,
    );
  }
  if (few.length) {
    cannotSay.push(`Per-class AUC for ${few.join(", ")}: fewer than 5 positive test patients.`);
  }
  if (r.belowBudget.length) {
    cannotSay.push(
      `A balanced 15-class set: ${r.belowBudget.length} classes have fewer than ` +
        `${r.budget} images that the backbone never trained on, so the set is not balanced.`,
    );
  }
  return { found, cannotSay };
}

/** The 15 classes: the ChestX-ray14 findings, then COVID-19. */
export const FIFTEEN_CLASSES = [...NIH_FINDINGS, "COVID-19"] as const;

/** A record of the 15-class set. */
export type FifteenRecord = NihRecord | CovidRecord;

/** The 15 yes/no labels of a record, read from the shared vocabulary (whatever its source). */
export function fifteenLabels(r: FifteenRecord): number[] {
  return labelVector(r, FIFTEEN_CLASSES);
}

/**
 * Up to `budget` images per class from records the backbone never trained on (whole patients,
 * seeded; ChestX-ray14 is multi-label, so an image drawn for one finding may carry others),
 * split 60/20/20 by patient within each source. Counts per class and part, in images and
 * patients, for the table the chapter shows.
 */
export function fifteenClassSet(
  nih: readonly NihRecord[],
  covid: readonly CovidRecord[],
  trainedOn: readonly XrayRecord[],
  budget: number,
): {
  records: FifteenRecord[];
  split: Splits<FifteenRecord>;
  counts: Record<string, string | number>[];
  /** Classes with fewer images than the budget (the set is not balanced when any). */
  belowBudget: string[];
} {
  const unseen = excludeTrainingPatients(nih, trainedOn);
  const picked = new Map<string, FifteenRecord>();
  for (const f of NIH_FINDINGS) {
    const pool = unseen.filter((r) => r.findings.includes(f));
    for (const r of limitByPatient(pool, budget, 7)) picked.set(r.path, r);
  }
  for (const r of limitByPatient(covid.filter((r) => r.covid), budget, 7)) picked.set(r.path, r);
  const records = [...picked.values()];
  assertNoLeakage(trainedOn, records, "15-class set");
  const split = patientSplit(records, {
    fractions: { train: 0.6, val: 0.2, test: 0.2 },
    seed: 7,
    stratum: (rs) => rs[0].source,
  });
  const has = (rs: readonly FifteenRecord[], i: number) => rs.filter((r) => fifteenLabels(r)[i]);
  const cell = (rs: readonly FifteenRecord[]) =>
    `${rs.length} / ${new Set(rs.map((r) => r.patientId)).size}`;
  const counts = FIFTEEN_CLASSES.map((c, i) => ({
    class: c,
    images: has(records, i).length,
    "train (images / patients)": cell(has(split.train, i)),
    "val (images / patients)": cell(has(split.val, i)),
    "test (images / patients)": cell(has(split.test, i)),
  }));
  const belowBudget = counts.filter((c) => c.images < budget).map((c) => c.class);
  return { records, split, counts, belowBudget };
}
