/**
 * Chapter 6: COVID-19 as a 15th class beside the 14 ChestX-ray14 findings, cross-validated by
 * patient like chapter 3 — a 15-output head on chapter 2's frozen DenseNet121, and the control
 * that sees only the model input's global statistics — and the chapter's conclusions.
 * @module
 */
import { assertNoLeakage, excludeTrainingPatients } from "../data/leakage.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { NIH_FINDINGS, type XrayRecord } from "../data/record.ts";
import {
  COVID_OUTPUT,
  FIFTEEN_CLASSES,
  fifteenLabels,
  type FifteenRecord,
} from "../data/fifteen_classes.ts";
import { crossValidationFolds, type Fold } from "../data/folds.ts";
import type { Profile } from "../config.ts";
import { auc } from "../eval/roc.ts";
import { type CvArm, cvArm, type CvRun, runSeed } from "../experiments/cross_validated.ts";
import { type FeatureSource, type HeadRun, trainHead } from "../experiments/heads.ts";
import { HEAD_DENSE } from "../models/backbone.ts";
import type { Predictions } from "../train/predict.ts";
import { join } from "node:path";
import { recordsHash, runDir } from "../experiments/runs.ts";
import { limitByPatient } from "../data/record.ts";
import type { Verdict } from "../experiments/verdict.ts";
import { STUDY_FIFTEEN_COVID_AUC } from "../study.ts";
import { fmtCi } from "../format.ts";
import type { ChapterSummary } from "../report/summary.ts";

/** What chapter 6 saves. */
export interface FifteenResults extends Record<string, unknown> {
  readonly scale: string;
  readonly budget: number;
  /** Per class, pooled out-of-fold scores (repeat 0), patient-bootstrap intervals. */
  readonly perClass: readonly {
    label: string;
    status: string;
    auc?: number;
    lo?: number;
    hi?: number;
  }[];
  /** COVID-19 one-vs-rest: mean over folds with the fold interval. */
  readonly covidCnn: { auc: number; lo: number; hi: number; learned: boolean };
  readonly covidControl: { auc: number; lo: number; hi: number; learned: boolean };
  /** Images the COVID-19 AUC rests on: negatives are all ChestX-ray14 images. */
  readonly covidTest: { positives: number; negatives: number };
  readonly comparison: Verdict;
  readonly backbone: string;
  readonly belowBudget: readonly string[];
  readonly foldHashes: readonly string[];
}

/** Chapter 6's summary. */
export function summariseFifteen(r: FifteenResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  const c = r.covidCnn, k = r.covidControl;
  found.push(
    `COVID-19 against the 14 ChestX-ray14 findings, 15-output head on ${r.backbone}: ` +
      `AUC ${fmtCi(c.auc, c.lo, c.hi)} over folds (study: ${STUDY_FIFTEEN_COVID_AUC}; ` +
      `${r.covidTest.positives} COVID-19 and ${r.covidTest.negatives} other images, ${r.scale}).`,
  );
  (k.learned ? found : cannotSay).push(
    k.learned
      ? `A control that sees only the model input's 8×8 thumbnail and intensity histogram ` +
        `reaches ${fmtCi(k.auc, k.lo, k.hi)} on the same folds: telling the two collections ` +
        "apart needs no anatomy."
      : `Whether the input's global statistics alone tell the collections apart: the control ` +
        `reaches ${fmtCi(k.auc, k.lo, k.hi)}, an interval that reaches 0.5.`,
  );
  if (!c.learned) {
    cannotSay.push(
      `Whether the 15-class head learned COVID-19 at all: its interval reaches 0.5 at this scale.`,
    );
  }
  const v = r.comparison;
  if (v.testable && v.shown && (v.difference ?? 0) > 0) {
    found.push(`${v.verdict}: the network uses more than global intensity and layout.`);
  } else {
    cannotSay.push(
      `Whether the network sees more than the control: ${v.verdict}. Every COVID-19 image ` +
        "comes from another collection than every other class, so the study's " +
        `${STUDY_FIFTEEN_COVID_AUC} is open to the same explanation: it may measure the ` +
        "collection, not the disease (chapter 7).",
    );
  }
  const ok = r.perClass.filter((p) => p.status === "ok" && p.label !== "COVID-19");
  const learned = ok.filter((p) => (p.lo ?? 0) > 0.5);
  const unclear = ok.filter((p) => !((p.lo ?? 0) > 0.5));
  const few = r.perClass.filter((p) => p.status !== "ok").map((p) => p.label);
  if (learned.length) {
    found.push(
      `ChestX-ray14 findings the head learned (pooled out-of-fold, interval above 0.5): ${
        learned.map((p) => `${p.label} ${fmtCi(p.auc, p.lo, p.hi, 2)}`).join(", ")
      }.`,
    );
  }
  if (unclear.length) {
    cannotSay.push(
      `Whether the head learned ${unclear.map((p) => p.label).join(", ")}: intervals reach 0.5.`,
    );
  }
  if (few.length) {
    cannotSay.push(`Per-class AUC for ${few.join(", ")}: fewer than 5 positive patients.`);
  }
  if (r.belowBudget.length) {
    cannotSay.push(
      `A balanced 15-class set: ${r.belowBudget.length} classes have fewer than ` +
        `${r.budget} images that the backbone never trained on, so the set is not balanced.`,
    );
  }
  return { found, cannotSay };
}

/**
 * Up to `budget` images per class from records the backbone never trained on (whole patients,
 * seeded; ChestX-ray14 is multi-label, so an image drawn for one finding may carry others), in
 * `k` patient folds stratified by source. Counts per class, in images and patients.
 */
export function fifteenClassSet(
  nih: readonly NihRecord[],
  covid: readonly CovidRecord[],
  trainedOn: readonly XrayRecord[],
  budget: number,
  k: number,
): {
  records: FifteenRecord[];
  folds: Fold<FifteenRecord>[];
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
  const folds = crossValidationFolds(records, { k, seed: 7, stratum: (rs) => rs[0].source });
  const has = (rs: readonly FifteenRecord[], i: number) => rs.filter((r) => fifteenLabels(r)[i]);
  const counts = FIFTEEN_CLASSES.map((c, i) => ({
    class: c,
    images: has(records, i).length,
    patients: new Set(has(records, i).map((r) => r.patientId)).size,
    "fold sizes": folds.map((f) => has(f.test, i).length).join(" / "),
  }));
  const belowBudget = counts.filter((c) => c.images < budget).map((c) => c.class);
  return { records, folds, counts, belowBudget };
}

const covidOf = (r: FifteenRecord) => [fifteenLabels(r)[COVID_OUTPUT]];

/**
 * The 15-output head on frozen features, K folds × repeats, and the COVID-19-only head on the
 * model-input cues on the same folds. Returns the COVID-19 output of each as an arm, every run's
 * full 15-output test scores (for the per-class table), and the fold heads' COVID-19 column
 * (for chapter 7).
 */
export async function fifteenClassArms(options: {
  readonly features: FeatureSource;
  readonly cues: FeatureSource;
  readonly folds: readonly Fold<FifteenRecord>[];
  readonly profile: Profile;
}): Promise<{
  cnn: CvArm<FifteenRecord>;
  control: CvArm<FifteenRecord>;
  pooled: Predictions<FifteenRecord>;
  heads: { fold: number; kernel: number[]; bias: number }[];
}> {
  const { folds, profile } = options;
  const cnnRuns: CvRun<FifteenRecord>[] = [], cueRuns: CvRun<FifteenRecord>[] = [];
  const pooled: Predictions<FifteenRecord> = { scores: [], labels: [], records: [] };
  const heads: { fold: number; kernel: number[]; bias: number }[] = [];
  for (const f of folds) {
    for (let r = 0; r < profile.headRepeats; r++) {
      const seed = runSeed(f.fold, r);
      const common = { train: f.train, val: f.val, test: f.test, profile, seed };
      const cnn = await trainHead({ backbone: options.features, labels: fifteenLabels, ...common });
      const covidScores = {
        records: cnn.test.records,
        scores: cnn.test.scores.map((s) => [s[COVID_OUTPUT]]),
        labels: cnn.test.records.map(covidOf),
      };
      cnnRuns.push({ fold: f.fold, repeat: r, test: covidScores, auc: binaryAuc(covidScores) });
      if (r === 0) {
        pooled.scores.push(...cnn.test.scores);
        pooled.labels.push(...cnn.test.labels);
        pooled.records.push(...cnn.test.records);
        heads.push({ fold: f.fold, ...await covidColumn(cnn) });
      }
      cnn.head.dispose();
      const cue = await trainHead({ backbone: options.cues, labels: covidOf, ...common });
      cueRuns.push({ fold: f.fold, repeat: r, test: cue.test, auc: binaryAuc(cue.test) });
      cue.head.dispose();
    }
  }
  const arm = (key: string, name: string, runs: CvRun<FifteenRecord>[]) =>
    cvArm({ key, arm: name, kind: key === "cnn" ? "frozen" : "control", augment: false, runs });
  return {
    cnn: arm("cnn", "CNN, 15-output head (COVID-19 output)", cnnRuns),
    control: arm("control-input", "model-input statistics only", cueRuns),
    pooled,
    heads,
  };
}

// The COVID-19 output's weights with the standardisation folded in (as chapter 3 keeps heads).
async function covidColumn(
  run: HeadRun<FifteenRecord>,
): Promise<{ kernel: number[]; bias: number }> {
  const [kernel, bias] = await Promise.all(
    run.head.getLayer(HEAD_DENSE).getWeights().map((t) => t.data()),
  );
  const outputs = FIFTEEN_CLASSES.length;
  const { mean, sd } = run.standardisation;
  const k = Array.from({ length: sd.length }, (_, d) => kernel[d * outputs + COVID_OUTPUT] / sd[d]);
  return { kernel: k, bias: bias[COVID_OUTPUT] - k.reduce((a, w, d) => a + w * mean[d], 0) };
}

function binaryAuc<R>(p: Predictions<R>): number {
  const y = p.labels.map((l) => l[0]);
  const pos = y.reduce((a, b) => a + b, 0);
  return pos === 0 || pos === y.length ? NaN : auc(p.scores.map((s) => s[0]), y);
}

/** Where chapter 6 keeps its fold heads' COVID-19 column, for chapter 7. */
export function fifteenHeadsPath(profile: Profile): string {
  return join(runDir("fifteen-classes", profile), "heads.json");
}

/** Keep the fold heads' COVID-19 column (repeat 0) for chapter 7. */
export async function saveFifteenHeads(
  heads: readonly { fold: number; kernel: number[]; bias: number }[],
  profile: Profile,
): Promise<void> {
  await Deno.mkdir(runDir("fifteen-classes", profile), { recursive: true });
  await Deno.writeTextFile(fifteenHeadsPath(profile), JSON.stringify({ heads }) + "\n");
}

/** What chapter 6 saves, from its set, arms, per-class table and verdict. */
export function fifteenResults(r: {
  set: ReturnType<typeof fifteenClassSet>;
  arms: Awaited<ReturnType<typeof fifteenClassArms>>;
  table: {
    rows: readonly { label: string; status: string; auc?: number; lo?: number; hi?: number }[];
  };
  verdict: Verdict;
  backbone: { gate: { name: string } };
  profile: Profile;
}): FifteenResults {
  const { set, arms, profile } = r;
  const of = (a: CvArm<FifteenRecord>) => ({
    auc: a.auc.estimate,
    lo: a.auc.lo,
    hi: a.auc.hi,
    learned: a.learned.learned,
  });
  const positives = set.records.filter((x) => fifteenLabels(x)[COVID_OUTPUT]).length;
  const scale = `${set.records.length} images (≤ ${profile.classBudget} per class), ` +
    `${profile.folds}-fold patient cross-validation, ${profile.imageSide} px`;
  const cnn = of(arms.cnn);
  return {
    scale,
    budget: profile.classBudget,
    counts: set.counts,
    belowBudget: set.belowBudget,
    perClass: r.table.rows,
    covidCnn: cnn,
    covidControl: of(arms.control),
    covidTest: { positives, negatives: set.records.length - positives },
    comparison: r.verdict,
    backbone: `DenseNet121 (${r.backbone.gate.name})`,
    foldHashes: set.folds.map((f) => recordsHash(f.test)),
    headline: [{
      id: "fifteen-class-covid-auc",
      value: cnn.auc,
      ci: [cnn.lo, cnn.hi],
      scale,
      note: `a control that sees only the input's thumbnail and histogram: ${
        fmtCi(arms.control.auc.estimate, arms.control.auc.lo, arms.control.auc.hi)
      }; negatives are all ChestX-ray14 images (another collection)`,
    }],
  };
}
