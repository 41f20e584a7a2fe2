/**
 * Arms under patient K-fold cross-validation: every patient is tested once, by a model that
 * never saw them, and every fold's model trains with its own seed — repeated where the profile
 * asks for training repeats. An arm's AUC is the mean over folds of the fold's test AUC (its
 * repeats averaged), with the t interval of `eval/crossval.ts`, which covers test sampling and
 * training noise; two arms are compared fold by fold on the same test patients.
 *
 * Three kinds of arm share the shape: **frozen** (a head on a frozen backbone's features, or on
 * any other feature table, such as the model-input cues), **fine-tuned** (the whole network
 * trains), and **fixed-rule controls** that train nothing a seed could change (the view alone,
 * the source's COVID-19 share among the training images).
 * @module
 */
import { join, relative } from "node:path";
import { type Profile, PROJECT_ROOT } from "../config.ts";
import type { Fold } from "../data/folds.ts";
import type { ModelName } from "../data/normalise.ts";
import { patientKey, type XrayRecord } from "../data/record.ts";
import { foldDifference, type FoldEstimate, foldInterval } from "../eval/crossval.ts";
import { bootstrapAuc } from "../eval/bootstrap.ts";
import { auc, rocCurve, type RocPoint } from "../eval/roc.ts";
import type { Initialisation } from "../models/build.ts";
import { dataPart, PREPROCESSING, trainedOnList, writeCard } from "../models/card.ts";
import { saveModel } from "../models/io.ts";
import { HEAD_DENSE } from "../models/backbone.ts";
import { withActivity } from "../progress.ts";
import { runInfo } from "../results.ts";
import type { Predictions } from "../train/predict.ts";
import { trainArm } from "./arm.ts";
import { attachHead, type FeatureSource, type HeadRun, trainHead } from "./heads.ts";
import { type Learned, learnedRule } from "./learned.ts";
import { recordOperatingPoint, validationThresholds } from "./operating.ts";
import { runDir } from "./runs.ts";
import { type ArmStatus, type ComparisonInput, scoreSpread } from "./verdict.ts";

/** One trained (or fitted) model of an arm: fold k, training repeat r. */
export interface CvRun<R> {
  readonly fold: number;
  readonly repeat: number;
  /** Scores of the fold's test images (output 0). */
  readonly test: Predictions<R>;
  /** Its test AUC (NaN when the fold's test images hold one class). */
  readonly auc: number;
  /** The operating threshold chosen on its validation images (Youden's J). */
  readonly threshold?: number;
  /** Folder of the saved model (relative to the project root), where one was kept. */
  readonly model?: string;
  /** Frozen arms: the head, standardisation folded in (`w'`, `b'`), for maps and new images. */
  readonly head?: { readonly kernel: number[]; readonly bias: number };
  readonly epochs?: number;
  readonly bestEpoch?: number;
  readonly history?: readonly {
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valAuc: number;
  }[];
}

/** An arm over all folds and repeats. */
export interface CvArm<R> {
  /** Stable id, e.g. `tuned-densenet121-nih`, `control-view`. */
  readonly key: string;
  /** Display name, e.g. "DenseNet121 · ChestX-ray14-pretrained · fine-tuned". */
  readonly arm: string;
  readonly kind: "frozen" | "fine-tuned" | "control";
  readonly arch?: ModelName;
  readonly start?: string;
  readonly augment: boolean;
  readonly folds: number;
  readonly repeats: number;
  readonly runs: readonly CvRun<R>[];
  /** Test AUC: mean over folds with the fold t interval. */
  readonly auc: FoldEstimate;
  readonly learned: Learned;
  /** Why comparisons with this arm are not testable beyond not learning (gate, degenerate). */
  readonly notTestable?: string;
  /** What the arm is, in one line (controls especially). */
  readonly description?: string;
}

const covidLabel = (r: { covid: boolean }) => [r.covid ? 1 : 0];

/** Seed of fold k, repeat r (distinct for every model of an arm). */
export function runSeed(fold: number, repeat: number): number {
  return 1000 * repeat + fold;
}

/** Summarise runs into an arm: the fold interval and the learn rule. */
export function cvArm<R>(
  spec: Omit<CvArm<R>, "auc" | "learned" | "runs" | "folds" | "repeats" | "notTestable"> & {
    readonly runs: readonly CvRun<R>[];
    readonly notTestable?: string;
  },
): CvArm<R> {
  const folds = Math.max(...spec.runs.map((r) => r.fold)) + 1;
  const repeats = Math.max(...spec.runs.map((r) => r.repeat)) + 1;
  const perFold = Array.from(
    { length: folds },
    (_, k) => spec.runs.filter((r) => r.fold === k).map((r) => r.auc),
  );
  const est = foldInterval(perFold);
  const clipped = { ...est, lo: Math.max(0, est.lo), hi: Math.min(1, est.hi) };
  const degenerate = spec.kind === "control"
    ? []
    : spec.runs.filter((r) => scoreSpread(r.test.scores.map((s) => s[0])).degenerate);
  const notTestable = spec.notTestable ??
    (degenerate.length
      ? `near-constant test scores in ${degenerate.length} of ${spec.runs.length} runs ` +
        "(a degenerate model)"
      : undefined);
  return {
    ...spec,
    folds,
    repeats,
    auc: clipped,
    learned: learnedRule(clipped, "test AUC over folds"),
    notTestable,
  };
}

/**
 * An arm as comparisons see it: not testable when it did not learn or is degenerate. A control
 * stays testable at chance: an arm compared with a control that finds no shortcut is simply
 * compared with a weak baseline.
 */
function armStatus<R>(arm: CvArm<R>): ArmStatus {
  const unlearned = arm.kind !== "control" && !arm.learned.learned;
  const reason = arm.notTestable ??
    (unlearned ? `${arm.arm} did not learn (${arm.learned.reason})` : undefined);
  return { arm: arm.arm, notTestable: reason };
}

/** A − B fold by fold on the same test patients (test AUC, repeats averaged): a paired t. */
export function compareCv<R>(a: CvArm<R>, b: CvArm<R>): ComparisonInput {
  if (a.folds !== b.folds) throw new Error(`${a.arm} and ${b.arm} ran on different folds`);
  const d = foldDifference(perFoldAuc(a), perFoldAuc(b));
  return {
    a: armStatus(a),
    b: armStatus(b),
    difference: d.estimate,
    se: d.se,
    df: d.df,
    measure: `test AUC, mean over ${d.perFold.length} folds`,
  };
}

/** Per fold, the AUC of each run (repeats). */
function perFoldAuc<R>(arm: CvArm<R>): number[][] {
  return Array.from(
    { length: arm.folds },
    (_, k) => arm.runs.filter((r) => r.fold === k).map((r) => r.auc),
  );
}

/**
 * The arm's AUC on a subset of test images (e.g. one view), fold by fold: each run's AUC on its
 * fold's images that `keep` accepts; folds where the subset holds one class drop out.
 */
export function cvSubset<R extends XrayRecord>(
  arm: CvArm<R>,
  keep: (record: R) => boolean,
): FoldEstimate & { images: number } {
  const perFold = Array.from(
    { length: arm.folds },
    (_, k) => arm.runs.filter((r) => r.fold === k).map((r) => subsetAuc(r.test, keep)),
  );
  const images = arm.runs.filter((r) => r.repeat === 0)
    .reduce((n, r) => n + r.test.records.filter(keep).length, 0);
  const e = foldInterval(perFold);
  // an AUC lies in [0, 1]; a t interval over two or three folds can reach past it
  return { ...e, lo: Math.max(0, e.lo), hi: Math.min(1, e.hi), images };
}

function subsetAuc<R>(p: Predictions<R>, keep: (record: R) => boolean): number {
  const idx = p.records.map((r, i) => (keep(r) ? i : -1)).filter((i) => i >= 0);
  const y = idx.map((i) => p.labels[i][0]);
  const pos = y.reduce((a, b) => a + b, 0);
  if (pos === 0 || pos === y.length) return NaN;
  return auc(idx.map((i) => p.scores[i][0]), y);
}

/**
 * The out-of-fold scores of one repeat, pooled in a fixed order (by image id): one score per
 * image, each from the model that did not see it. For ROC curves and shared-test comparisons.
 */
export function pooledScores<R extends XrayRecord>(
  arm: CvArm<R>,
  repeat = 0,
): { scores: number[]; labels: number[]; records: R[] } {
  const rows = arm.runs.filter((r) => r.repeat === repeat).flatMap((r) =>
    r.test.records.map((rec, i) => ({ rec, s: r.test.scores[i][0], y: r.test.labels[i][0] }))
  );
  rows.sort((x, y) => idOf(x.rec).localeCompare(idOf(y.rec)));
  return {
    scores: rows.map((r) => r.s),
    labels: rows.map((r) => r.y),
    records: rows.map((r) => r.rec),
  };
}

/** The pooled out-of-fold ROC curve of a repeat (for figures; the AUC is the fold mean). */
export function pooledRoc<R extends XrayRecord>(arm: CvArm<R>, repeat = 0): RocPoint[] {
  const p = pooledScores(arm, repeat);
  return rocCurve(p.scores, p.labels);
}

function idOf(r: XrayRecord): string {
  return `${r.source}/${r.imageId}`;
}

/**
 * What every cross-validated arm is: the split task (`SplitTask`, task.ts) of each fold (its test part, the
 * rest split into training and validation), repeated; frozen and fine-tuned arms add what they
 * train.
 */
export interface CvTask<R extends XrayRecord & { covid: boolean }> {
  /** Short key, unique within the chapter (it names the runs). */
  readonly key: string;
  /** The arm's name as the chapter shows it. */
  readonly arm: string;
  readonly folds: readonly Fold<R>[];
  /** Training runs per fold, with different seeds (training noise). */
  readonly repeats: number;
  readonly profile: Profile;
  /** Why no comparison may rest on this arm, when one may not. */
  readonly notTestable?: string;
}

// ---------------------------------------------------------------------------------------------
// Frozen arms: a head per fold and repeat on a feature table computed once.

/** Options of {@link frozenCvArm}. */
export interface FrozenCvOptions<R extends XrayRecord & { covid: boolean }> extends CvTask<R> {
  readonly features: FeatureSource;
  readonly arch?: ModelName;
  readonly start?: string;
  readonly kind?: "frozen" | "control";
  readonly description?: string;
  /**
   * Keep the classifier of fold 0, repeat 0 whole (backbone + head, with a model card) under
   * `weights/<profile>/<save.run>/`, for the try page and the maps chapter.
   */
  readonly save?: {
    readonly run: string;
    readonly model: Parameters<typeof attachHead>[0];
    readonly init: Initialisation;
  };
}

/** Heads on frozen features, K folds × repeats (minority class oversampled, as the study). */
export function frozenCvArm<R extends XrayRecord & { covid: boolean }>(
  options: FrozenCvOptions<R>,
): Promise<CvArm<R>> {
  return withActivity(`${options.arm}: heads`, async () => {
    const runs: CvRun<R>[] = [];
    for (const f of options.folds) {
      for (let r = 0; r < options.repeats; r++) {
        const run = await trainHead({
          backbone: options.features,
          labels: covidLabel,
          train: f.train,
          val: f.val,
          test: f.test,
          profile: options.profile,
          seed: runSeed(f.fold, r),
          oversample: (x: R) => x.covid,
        });
        let model: string | undefined;
        if (options.save && f.fold === 0 && r === 0) {
          model = await saveFrozenClassifier(options, f, run);
        }
        runs.push({
          fold: f.fold,
          repeat: r,
          test: run.test,
          auc: safeAuc(run.test),
          threshold: validationThresholds(run.validation)[0],
          model,
          head: r === 0 ? await foldedHead(run) : undefined,
          epochs: run.result.history.length,
          bestEpoch: run.result.bestEpoch,
        });
        run.head.dispose();
      }
    }
    if (options.save) await saveFoldHeads(options.save.run, options.profile, runs);
    return cvArm({
      key: options.key,
      arm: options.arm,
      kind: options.kind ?? "frozen",
      arch: options.arch,
      start: options.start,
      augment: false,
      runs,
      notTestable: options.notTestable,
      description: options.description,
    });
  });
}

/** Every fold's head (repeat 0) of a frozen arm, as {@link saveFoldHeads} keeps them. */
export interface FoldHeads {
  readonly heads: readonly { fold: number; kernel: number[]; bias: number }[];
}

/** Where a frozen arm's fold heads are kept: `weights/<profile>/<run>/heads.json`. */
function foldHeadsPath(run: string, profile: Profile): string {
  return join(runDir(run, profile), "heads.json");
}

// The fold heads of repeat 0, so later chapters can score any image with the model of the fold
// that tested it (a frozen arm's folds share the backbone; only the head differs).
async function saveFoldHeads<R>(run: string, profile: Profile, runs: readonly CvRun<R>[]) {
  const heads = runs.filter((r) => r.repeat === 0 && r.head)
    .map((r) => ({ fold: r.fold, ...r.head! }));
  await Deno.mkdir(runDir(run, profile), { recursive: true });
  await Deno.writeTextFile(foldHeadsPath(run, profile), JSON.stringify({ heads }) + "\n");
}

/** Read a frozen arm's fold heads. */
export async function readFoldHeads(run: string, profile: Profile): Promise<FoldHeads> {
  const path = foldHeadsPath(run, profile);
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    throw new Error(`${path} is missing: run chapter 3 at profile ${profile.name} first`);
  }
}

// The head's weights with the standardisation folded in: w' = w/s, b' = b − Σ w·m/s. Read
// asynchronously (WebGPU under Deno has no synchronous read).
async function foldedHead<R>(run: HeadRun<R>): Promise<{ kernel: number[]; bias: number }> {
  const [kernel, bias] = await Promise.all(
    run.head.getLayer(HEAD_DENSE).getWeights().map((t) => t.data()),
  );
  const { mean, sd } = run.standardisation;
  const k = Array.from(kernel, (w, d) => w / sd[d]);
  const b = bias[0] - k.reduce((a, w, d) => a + w * mean[d], 0);
  return { kernel: k, bias: b };
}

async function saveFrozenClassifier<R extends XrayRecord & { covid: boolean }>(
  options: FrozenCvOptions<R>,
  fold: Fold<R>,
  run: HeadRun<R>,
): Promise<string> {
  const { profile } = options;
  const { run: name, model, init } = options.save!;
  attachHead(model, run);
  const dir = runDir(name, profile);
  await saveModel(model, dir);
  const info = runInfo(profile);
  const arch = options.arch!;
  await writeCard(dir, {
    card: "xray-transfer/model-card@1",
    name,
    arch,
    side: profile.imageSide,
    preprocessing: PREPROCESSING[arch],
    classes: ["COVID-19"],
    init: typeof init === "string" ? init : relative(PROJECT_ROOT, init.from),
    data: {
      dataset: "COVID-19 image data collection (frontal X-rays, labelled)",
      split: `patient fold ${fold.fold} of ${options.folds.length} (cross-validation); ` +
        "backbone frozen, head trained",
      train: dataPart(fold.train),
      validation: dataPart(fold.val),
    },
    trainedOn: trainedOnList([...fold.train, ...fold.val]),
    profile: profile.name,
    seed: runSeed(fold.fold, 0),
    backend: info.backend?.description ?? "unknown",
    commit: info.gitCommit,
    training: {
      epochs: run.result.history.length,
      bestEpoch: run.result.bestEpoch,
      updates: (run.result.bestEpoch + 1) *
        Math.ceil((2 * fold.train.filter((r) => r.covid).length) / profile.batchSize),
    },
    createdAt: info.createdAt,
  });
  await recordOperatingPoint(dir, run.validation, testRecord(run.test));
  return relative(PROJECT_ROOT, dir);
}

// The fold's test result as the model card records it: AUC with a patient-bootstrap interval
// (this one model on its fold's patients; the arm's interval is chapter 3's).
function testRecord<R extends XrayRecord>(p: Predictions<R>): Record<string, unknown> {
  const groups = p.records.map(patientKey);
  const value = safeAuc(p);
  const ci = Number.isFinite(value)
    ? bootstrapAuc(p.scores.map((s) => s[0]), p.labels.map((l) => l[0]), {
      groups,
      resamples: 1000,
    })
    : undefined;
  return {
    auc: value,
    ci: ci ? [ci.lo, ci.hi] : undefined,
    images: p.records.length,
    patients: new Set(groups).size,
  };
}

function safeAuc<R>(p: Predictions<R>): number {
  const y = p.labels.map((l) => l[0]);
  const pos = y.reduce((a, b) => a + b, 0);
  if (pos === 0 || pos === y.length) return NaN;
  return auc(p.scores.map((s) => s[0]), y);
}

// ---------------------------------------------------------------------------------------------
// Fine-tuned arms: the whole network trains on every fold (and repeat).

/** Options of {@link tunedCvArm}. */
export interface TunedCvOptions<R extends XrayRecord & { covid: boolean }> extends CvTask<R> {
  readonly arch: ModelName;
  readonly start: string;
  readonly init: Initialisation;
  readonly augment?: boolean;
}

/** Fine-tune the whole network on each fold and repeat (the study's protocol). */
export function tunedCvArm<R extends XrayRecord & { covid: boolean }>(
  options: TunedCvOptions<R>,
): Promise<CvArm<R>> {
  return withActivity(`${options.arm}`, async () => {
    const runs: CvRun<R>[] = [];
    const augment = options.augment !== false;
    for (const f of options.folds) {
      for (let r = 0; r < options.repeats; r++) {
        const run = await trainArm({
          name: `covid-${options.key}-f${f.fold}${r ? `-r${r}` : ""}`,
          arch: options.arch,
          init: options.init,
          labels: covidLabel,
          classes: ["COVID-19"],
          data: {
            dataset: "COVID-19 image data collection (frontal X-rays, labelled)",
            split: `patient fold ${f.fold} of ${options.folds.length} (cross-validation)`,
          },
          train: f.train,
          val: f.val,
          test: f.test,
          profile: options.profile,
          seed: runSeed(f.fold, r),
          oversample: (x: R) => x.covid,
          augment,
        });
        await recordOperatingPoint(run.dir, run.validation, testRecord(run.test));
        runs.push({
          fold: f.fold,
          repeat: r,
          test: run.test,
          auc: safeAuc(run.test),
          threshold: validationThresholds(run.validation)[0],
          model: relative(PROJECT_ROOT, run.dir),
          epochs: run.result.history.length,
          bestEpoch: run.result.bestEpoch,
          history: run.result.history.map(({ epoch, trainLoss, valLoss, valAuc }) => ({
            epoch,
            trainLoss,
            valLoss,
            valAuc,
          })),
        });
        run.model.dispose();
      }
    }
    return cvArm({
      key: options.key,
      arm: options.arm,
      kind: "fine-tuned",
      arch: options.arch,
      start: options.start,
      augment,
      runs,
      notTestable: options.notTestable,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Controls that fit a fixed rule: nothing random, so one repeat.

/**
 * A control that scores each test image by a rule fitted on its fold's training and validation
 * images (`fit` returns the scorer). Labels are COVID-19 vs other.
 */
function ruleControl<R extends XrayRecord & { covid: boolean }>(options: {
  readonly key: string;
  readonly arm: string;
  readonly description: string;
  readonly folds: readonly Fold<R>[];
  readonly fit: (seen: readonly R[]) => (record: R) => number;
}): CvArm<R> {
  const runs = options.folds.map((f): CvRun<R> => {
    const score = options.fit([...f.train, ...f.val]);
    const test: Predictions<R> = {
      records: [...f.test],
      scores: f.test.map((r) => [score(r)]),
      labels: f.test.map(covidLabel),
    };
    return { fold: f.fold, repeat: 0, test, auc: safeAuc(test) };
  });
  return cvArm({
    key: options.key,
    arm: options.arm,
    kind: "control",
    augment: false,
    runs,
    description: options.description,
  });
}

/** The view-only control: an AP film scores 1, a PA film 0. */
export function viewOnlyControl<R extends XrayRecord & { covid: boolean }>(
  folds: readonly Fold<R>[],
): CvArm<R> {
  return ruleControl({
    key: "control-view",
    arm: "view only (AP = 1, PA = 0)",
    description: "scores a film 1 if it is AP (bedside), 0 if PA: no image content at all",
    folds,
    fit: () => (r) => (r.view.startsWith("AP") ? 1 : 0),
  });
}

/**
 * The source-only control: an image's score is the share of COVID-19 among the training images
 * from the same source (smoothed towards the overall share; an unseen source gets the overall
 * share). `sourceOf` names the source (for the COVID-19 collection: the website or journal the
 * image was taken from).
 */
export function sourceOnlyControl<R extends XrayRecord & { covid: boolean }>(
  folds: readonly Fold<R>[],
  sourceOf: (record: R) => string,
  prior = 2,
): CvArm<R> {
  return ruleControl({
    key: "control-source",
    arm: "source only (where the image was published)",
    description: "scores an image by the COVID-19 share of training images from the same " +
      "source (website or journal), smoothed; sees no pixel",
    folds,
    fit: (seen) => {
      const overall = seen.filter((r) => r.covid).length / Math.max(1, seen.length);
      const counts = new Map<string, { pos: number; n: number }>();
      for (const r of seen) {
        const c = counts.get(sourceOf(r)) ?? { pos: 0, n: 0 };
        counts.set(sourceOf(r), { pos: c.pos + (r.covid ? 1 : 0), n: c.n + 1 });
      }
      return (r) => {
        const c = counts.get(sourceOf(r)) ?? { pos: 0, n: 0 };
        return (c.pos + prior * overall) / (c.n + prior);
      };
    },
  });
}

/** Where an arm's fold-0 model lives (absolute), for chapters that load it. */
export function modelDir<R>(arm: CvArm<R>, fold = 0, repeat = 0): string | undefined {
  const run = arm.runs.find((r) => r.fold === fold && r.repeat === repeat);
  return run?.model ? join(PROJECT_ROOT, run.model) : undefined;
}
