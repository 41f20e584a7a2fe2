/**
 * Chapter 2, learning ChestX-ray14: the data per finding; whole networks trained on the 14
 * findings (repeated with other seeds where the profile asks); the pretraining gate written into
 * each backbone's model card; the equal-compute control chapter 3 compares the pretrained
 * backbone with; per-finding and mean test AUC of each arm on the official test list, the learn
 * rule, one Holm family of comparisons between arms that learned; and the chapter's conclusions.
 * @module
 */
import type { Profile } from "../config.ts";
import type { NihRecord } from "../data/datasets/mod.ts";
import type { ModelName } from "../data/normalise.ts";
import { BatchPipeline } from "../data/pipeline.ts";
import { labelVector, NIH_FINDINGS, patientKey } from "../data/record.ts";
import { onLogitScale, sharedTestStatistic } from "../eval/crossval.ts";
import type { ClassAuc } from "../eval/per_class_auc.ts";
import { auc } from "../eval/roc.ts";
import { type ArmRun, imageCache, microBatch, trainArm } from "../experiments/arm.ts";
import { nihBackboneRun, shuffledBackboneRun } from "../experiments/backbones.ts";
import { multiLabelResult } from "../experiments/evaluate.ts";
import { type PretrainingGate, pretrainingGate } from "../experiments/gate.ts";
import { type Learned, learnedRule } from "../experiments/learned.ts";
import { THRESHOLD_RULE, validationThresholds } from "../experiments/operating.ts";
import type { NihSplit } from "../experiments/study_data.ts";
import { decideFamily, scoreSpread, type Verdict } from "../experiments/verdict.ts";
import { fmtCi } from "../format.ts";
import { addCardNotes } from "../models/card.ts";
import { type ChapterSummary, sortVerdicts } from "../report/summary.ts";
import { deriveSeed, Rng } from "../rng.ts";
import { STUDY_NIH_MEAN } from "../study.ts";
import { predict, type Predictions } from "../train/predict.ts";
import { showTable } from "../viz/html_table.ts";

/** One ChestX-ray14 arm: its training runs (repeat 0 is the backbone later chapters use). */
export interface NihArm {
  readonly arm: string;
  readonly arch: ModelName;
  readonly init: "imagenet" | "scratch";
  readonly runs: readonly ArmRun<NihRecord>[];
}

const nihLabels = (r: NihRecord) => labelVector(r, NIH_FINDINGS);

const NIH_DATA = {
  dataset: "NIH ChestX-ray14 (images stored at ≥ the input side)",
  split: "official train_val list cut 70/15/15 by patient (train/validation/gate, seed 1); " +
    "official test list held out",
};

/** Train (or pick up) one ChestX-ray14 arm, `profile.nihRepeats` times with other seeds. */
export async function trainNihArm(
  arch: ModelName,
  init: "imagenet" | "scratch",
  split: NihSplit,
  profile: Profile,
  arm: string,
): Promise<NihArm> {
  const runs: ArmRun<NihRecord>[] = [];
  for (let r = 0; r < profile.nihRepeats; r++) {
    const base = init === "imagenet" ? nihBackboneRun(arch) : `nih-${arch}-${init}`;
    runs.push(
      await trainArm({
        name: r === 0 ? base : `${base}-r${r}`,
        arch,
        init,
        labels: nihLabels,
        classes: NIH_FINDINGS,
        data: NIH_DATA,
        train: split.train,
        val: split.val,
        test: split.test,
        profile,
        seed: 1 + r,
        epochs: profile.epochs,
      }),
    );
  }
  return { arm, arch, init, runs };
}

/**
 * The gate of a trained backbone (repeat 0), judged on the gate's own patients — never those
 * that picked its epoch — and recorded in its model card for later chapters.
 */
export async function gateBackbone(
  arm: NihArm,
  gateRecords: readonly NihRecord[],
  profile: Profile,
): Promise<PretrainingGate> {
  const run = arm.runs[0];
  const gateScores = await predictRecords(run, gateRecords, arm.arch, profile);
  const gate = pretrainingGate(gateScores, NIH_FINDINGS, {
    updates: run.updates,
    resamples: profile.resamples,
  });
  await addCardNotes(run.dir, {
    gate,
    thresholds: validationThresholds(run.validation),
    thresholdRule: THRESHOLD_RULE,
  });
  return gate;
}

/**
 * The equal-compute control: the same ImageNet start trained on the same ChestX-ray14 images
 * for exactly as many updates as the pretrained backbone's kept epoch, but with each image's
 * 14 labels taken from another image (a seeded shuffle within each part). It sees the same
 * X-rays and gets the same compute; only what the labels teach is missing. Its last epoch is
 * kept (its validation AUC means nothing).
 */
export async function trainShuffledControl(
  pretrained: NihArm,
  split: NihSplit,
  profile: Profile,
): Promise<ArmRun<NihRecord>> {
  const real = pretrained.runs[0];
  const shuffled = new Map<string, number[]>();
  for (const part of [split.train, split.val, split.test] as const) {
    const donors = new Rng(deriveSeed(11, "shuffled labels", part.length)).shuffle(part);
    part.forEach((r, i) => shuffled.set(`${r.source}/${r.imageId}`, nihLabels(donors[i])));
  }
  const run = await trainArm({
    name: shuffledBackboneRun(pretrained.arch),
    arch: pretrained.arch,
    init: "imagenet",
    labels: (r) => shuffled.get(`${r.source}/${r.imageId}`)!,
    classes: NIH_FINDINGS,
    data: {
      dataset: "NIH ChestX-ray14, labels shuffled across images (equal-compute control)",
      split: NIH_DATA.split,
    },
    train: split.train,
    val: split.val,
    test: split.test,
    profile,
    seed: 1,
    epochs: real.result.bestEpoch + 1,
    keepLast: true,
  });
  await addCardNotes(run.dir, {
    control: `equal-compute control of ${pretrained.arm}: ${run.updates} updates on shuffled ` +
      `labels (the pretrained backbone kept ${real.updates})`,
  });
  return run;
}

/** Predictions of a trained arm's model on other records (e.g. the gate's patients). */
async function predictRecords(
  run: ArmRun<NihRecord>,
  records: readonly NihRecord[],
  arch: ModelName,
  profile: Profile,
): Promise<Predictions<NihRecord>> {
  const side = profile.imageSide;
  const pipeline = await new BatchPipeline(records, {
    side,
    model: arch,
    batchSize: 2 * microBatch(profile, side),
    labels: nihLabels,
    seed: 0,
    cache: imageCache(side),
  }).prepare(`decode ${side}px`);
  return predict(run.model, pipeline, { label: `${run.name} gate` });
}

/** Images and patients with each finding, per part: the table behind every per-finding AUC. */
export function findingCounts(split: NihSplit): Record<string, string | number>[] {
  const count = (records: readonly NihRecord[], f: string) => {
    const hit = records.filter((r) => (r.findings as readonly string[]).includes(f));
    return `${hit.length} / ${new Set(hit.map((r) => r.patientId)).size}`;
  };
  return [...NIH_FINDINGS, "No Finding"].map((f) => ({
    finding: f,
    ...Object.fromEntries((["train", "val", "gate", "test"] as const).map((part) => [
      `${part} (images / patients)`,
      f === "No Finding"
        ? `${split[part].filter((r) => r.findings.length === 0).length}`
        : count(split[part], f),
    ])),
  }));
}

/** An arm's test numbers: per finding (repeat 0), and the mean over findings (all repeats). */
export interface NihArmResult {
  readonly arm: string;
  readonly arch: string;
  readonly init: string;
  readonly repeats: number;
  /** Per finding, repeat 0, with patient-bootstrap intervals. */
  readonly perFinding: readonly ClassAuc[];
  /** Findings every arm has an AUC for: the mean is over these. */
  readonly findings: readonly string[];
  readonly meanAuc: number;
  readonly lo: number;
  readonly hi: number;
  /** Whether the interval includes training noise (only with more than one repeat). */
  readonly includesTrainingNoise: boolean;
  readonly learned: Learned;
  readonly degenerate: boolean;
  readonly bestEpoch: number;
  readonly history: readonly unknown[];
}

/** What chapter 2 saves. */
export interface NihResults extends Record<string, unknown> {
  readonly scale: string;
  readonly arms: readonly NihArmResult[];
  readonly gates: readonly { readonly backbone: string; readonly gate: PretrainingGate }[];
  readonly control?: { readonly arm: string; readonly updates: number; readonly of: string };
  readonly comparisons: readonly Verdict[];
}

/** Per-finding tables of repeat 0 (for the figure and the table of the chapter). */
export function findingTables(
  arms: readonly NihArm[],
  resamples: number,
): { arm: string; table: ReturnType<typeof multiLabelResult> }[] {
  return arms.map((a) => ({
    arm: a.arm,
    table: multiLabelResult(a.runs[0].test, NIH_FINDINGS, { resamples }),
  }));
}

/**
 * Each arm's mean test AUC over the findings every arm has an AUC for, over its repeats: the
 * interval covers test sampling (a bootstrap of patients) and, with two or more repeats,
 * training noise (the repeats' spread); computed on the logit scale. Then the learn rule.
 */
export function nihArmResults(
  arms: readonly NihArm[],
  tables: ReturnType<typeof findingTables>,
  resamples: number,
): NihArmResult[] {
  const shared = sharedFindings(tables);
  return arms.map((a, k) => {
    const runs = a.runs.map((r) => r.test);
    const est = shared.length === 0 ? NO_ESTIMATE : onLogitScale(sharedTestStatistic(
      runs.length,
      runs[0].records.map(patientKey),
      (m, idx) => meanAucOf(runs[m], shared, idx),
      { resamples, valid: (idx) => Number.isFinite(meanAucOf(runs[0], shared, idx)) },
    ));
    return {
      arm: a.arm,
      arch: a.arch,
      init: a.init,
      repeats: runs.length,
      perFinding: tables[k].table.rows,
      findings: shared.map((c) => NIH_FINDINGS[c]),
      meanAuc: est.estimate,
      lo: est.lo,
      hi: est.hi,
      includesTrainingNoise: runs.length > 1,
      learned: shared.length === 0
        ? { learned: false, reason: "no finding has 5 positive test patients: no mean AUC" }
        : learnedRule(est, "mean test AUC"),
      degenerate: scoreSpread(runs[0].scores.flat()).degenerate,
      bestEpoch: a.runs[0].result.bestEpoch,
      history: a.runs[0].result.history,
    };
  });
}

/**
 * The arms pairwise on mean test AUC, paired on the same test patients (and repeats): one Holm
 * family; a comparison with an arm that did not learn, or is degenerate, is not testable.
 */
export function compareNihArms(
  arms: readonly NihArm[],
  results: readonly NihArmResult[],
  resamples: number,
): Verdict[] {
  const shared = results[0].findings.map((f) => NIH_FINDINGS.indexOf(f as never));
  const status = (k: number) => ({
    arm: results[k].arm,
    notTestable: results[k].degenerate
      ? "near-constant test scores (a degenerate model)"
      : results[k].learned.learned
      ? undefined
      : `${results[k].arm} did not learn (${results[k].learned.reason})`,
  });
  const pairs: [number, number][] = [];
  for (let i = 0; i < arms.length; i++) {
    for (let j = i + 1; j < arms.length; j++) pairs.push([i, j]);
  }
  return decideFamily(pairs.map(([i, j]) => {
    if (shared.length === 0) {
      return {
        a: status(i),
        b: status(j),
        notTestable: "no finding has 5 positive test patients in every arm",
      };
    }
    const a = arms[i].runs.map((r) => r.test), b = arms[j].runs.map((r) => r.test);
    const models = Math.min(a.length, b.length);
    const d = sharedTestStatistic(
      models,
      a[0].records.map(patientKey),
      (m, idx) => meanAucOf(a[m], shared, idx) - meanAucOf(b[m], shared, idx),
      { resamples, valid: (idx) => Number.isFinite(meanAucOf(a[0], shared, idx)) },
    );
    return {
      a: status(i),
      b: status(j),
      difference: d.estimate,
      se: d.se,
      df: d.df,
      measure: "mean test AUC over findings",
    };
  }));
}

const NO_ESTIMATE = { estimate: NaN, lo: NaN, hi: NaN, se: NaN, df: NaN, level: 0.95 };

// Findings with an AUC in every arm's table (≥ 5 positive test patients).
function sharedFindings(tables: ReturnType<typeof findingTables>): number[] {
  return NIH_FINDINGS.map((_, i) => i)
    .filter((i) => tables.every(({ table }) => table.rows[i].status === "ok"));
}

// Mean AUC over `classes` on the images `idx`; classes with one label in the draw are skipped.
function meanAucOf(p: Predictions<NihRecord>, classes: readonly number[], idx: readonly number[]) {
  let sum = 0, n = 0;
  for (const c of classes) {
    const y = idx.map((i) => p.labels[i][c]);
    const pos = y.reduce((a, b) => a + b, 0);
    if (pos === 0 || pos === y.length) continue;
    sum += auc(idx.map((i) => p.scores[i][c]), y);
    n++;
  }
  return n ? sum / n : NaN;
}

/** Chapter 2's summary: one plain sentence per finding. */
export function summariseChestXray14(r: NihResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];

  for (const a of r.arms) {
    const auc = fmtCi(a.meanAuc, a.lo, a.hi);
    if (a.degenerate) {
      cannotSay.push(`${a.arm} gives near-constant test scores: a degenerate model.`);
    } else if (a.learned.learned) {
      found.push(
        `${a.arm} learned the findings: mean test AUC ${auc} over ${a.findings.length} findings.`,
      );
    } else {
      cannotSay.push(
        `Whether ${a.arm} learned anything: ${a.learned.reason}, so no comparison rests on it.`,
      );
    }
  }
  found.push(
    `The study, on all 112,120 images at 224 px, reports ${STUDY_NIH_MEAN.densenet121ImageNet} ` +
      `(DenseNet121, ImageNet start) and ${STUDY_NIH_MEAN.resnet50Scratch} (ResNet50 from ` +
      `scratch); ours ran on ${r.scale}.`,
  );
  for (const { backbone, gate } of r.gates) {
    (gate.passed ? found : cannotSay).push(
      gate.passed
        ? `The ${backbone} backbone passes the pretraining gate on patients that did not pick ` +
          `its epoch (${gate.reason}), so later chapters call it ChestX-ray14-pretrained.`
        : `Whether ChestX-ray14 pretraining of ${backbone} helps later tasks: it fails the gate ` +
          `(${gate.reason}), so later chapters call it "${gate.name}" and no comparison rests ` +
          "on it.",
    );
  }
  if (r.control) {
    found.push(
      `The equal-compute control for chapter 3: ${r.control.arm}, ${r.control.updates} updates ` +
        `on shuffled labels, as many as ${r.control.of} kept.`,
    );
  }
  sortVerdicts(r.comparisons, { found, cannotSay }, {
    shown: (v) => `${v.verdict}.`,
    notShown: (v) => `Whether ${v.a} and ${v.b} differ in mean AUC: ${v.verdict}.`,
    untestable: (v) => `${v.comparison}: ${v.verdict}.`,
  });
  if (r.arms.length && !r.arms[0].includesTrainingNoise) {
    cannotSay.push(
      "How much another training run would move these numbers: each arm trained once at this " +
        "profile, so chapter 2's intervals cover which patients were tested, not training noise " +
        "(chapter 3 measures that noise with a model per fold).",
    );
  }
  const tooFew = NIH_FINDINGS.filter((f) => !r.arms[0]?.findings.includes(f));
  if (tooFew.length) {
    cannotSay.push(
      `Per-finding AUC for ${tooFew.join(", ")}: fewer than 5 positive test patients.`,
    );
  }
  return { found, cannotSay };
}

/** The gate of each backbone, as a table. */
export function showGates(
  gates: readonly { backbone: string; gate: PretrainingGate }[],
): Promise<void> {
  return showTable(
    gates.map(({ backbone, gate }) => ({
      backbone,
      "gate mean AUC (95% CI)": fmtCi(gate.meanAuc, gate.ci?.[0], gate.ci?.[1]),
      findings: gate.findings,
      "named in chapters 3–6": gate.name,
    })),
    undefined,
    { caption: "The pretraining gate (the gate's own patients; never test images)" },
  );
}

/** Each arm's test result, written into its model card (repeat 0). */
export async function recordTestAucs(
  arms: readonly NihArm[],
  results: readonly NihArmResult[],
): Promise<void> {
  for (const [k, a] of arms.entries()) {
    const r = results[k];
    await addCardNotes(a.runs[0].dir, {
      test: { meanAuc: r.meanAuc, meanCi: [r.lo, r.hi], perFinding: r.perFinding },
      learned: r.learned,
    });
  }
}

/** Home-page rows of chapter 2: each arm's mean AUC with its caveats. */
export function nihHeadline(
  results: readonly NihArmResult[],
  scale: string,
): { id: string; value: number; ci: [number, number]; scale: string; note?: string }[] {
  const row = (id: string, a: NihArmResult | undefined) =>
    a && {
      id,
      value: a.meanAuc,
      ci: [a.lo, a.hi] as [number, number],
      scale: `${
        a.findings.length
          ? `${a.findings.length} findings`
          : "no finding with 5 positive test patients"
      }; ${scale}`,
      note: a.learned.learned ? undefined : `did not learn at this scale (${a.learned.reason})`,
    };
  return [
    row("nih-mean-auc-densenet121", results.find((a) => a.arch === "densenet121")),
    row(
      "nih-mean-auc-resnet50-imagenet",
      results.find((a) => a.arch === "resnet50" && a.init === "imagenet"),
    ),
    row(
      "nih-mean-auc-resnet50-scratch",
      results.find((a) => a.arch === "resnet50" && a.init === "scratch"),
    ),
  ].filter((x) => x !== undefined);
}
