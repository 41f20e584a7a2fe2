/**
 * Chapter 7: is it COVID-19 or the hospital? Every arm that learned in chapter 3 (and chapter 6's
 * COVID-19-vs-rest head) is scored again — inference only, each image by the model of the fold
 * that tested it — on its images with the lungs removed and with only the lungs kept, and on
 * images from two hospitals no model saw. Nothing here chooses a model, a threshold or a
 * hyper-parameter: all come from chapters 3 and 6.
 * @module
 */
import { tf } from "../backend/mod.ts";
import type { Profile } from "../config.ts";
import type { CovidRecord } from "../data/datasets/mod.ts";
import { copiesOf } from "../data/duplicates.ts";
import {
  EXTERNAL_COLLECTIONS,
  type ExternalName,
  type ExternalRecord,
  loadExternal,
} from "../data/external.ts";
import type { Fold } from "../data/folds.ts";
import { decodeGrey, type GreyImage } from "../data/images.ts";
import type { LungMask } from "../data/lung_mask.ts";
import type { ModelName } from "../data/normalise.ts";
import { patientKey, type SkippedRow, type XrayRecord } from "../data/record.ts";
import {
  type Estimate,
  foldDifference,
  foldInterval,
  onLogitScale,
  sharedTestInterval,
  sharedTestStatistic,
} from "../eval/crossval.ts";
import { auc } from "../eval/roc.ts";
import { readFoldHeads } from "../experiments/cross_validated.ts";
import { recordsHash as recordsHashOf } from "../experiments/runs.ts";
import { learnedRule } from "../experiments/learned.ts";
import type { StartingPoint } from "../experiments/starts.ts";
import { type ComparisonInput, decideFamily, type Verdict } from "../experiments/verdict.ts";
import { camsOf, modelInput } from "../explain/apply.ts";
import type { CamTile } from "../explain/overlay.ts";
import { HEAD_DENSE } from "../models/backbone.ts";
import { dilateMask, dilationAt, type Keep, occlude } from "../explain/occlude.ts";
import { createModel, featureModel, type Initialisation } from "../models/build.ts";
import { loadClassifier } from "../models/classify.ts";
import { PROJECT_ROOT } from "../config.ts";
import { Progress, withActivity } from "../progress.ts";
import { readResults } from "../results.ts";
import { STUDY_COVID_AUC } from "../study.ts";
import { Plot, showPlot } from "../viz/plot.ts";
import { assertSameFolds } from "./04_cam.ts";
import type { ArmResult, TransferResults } from "./03_covid_transfer.ts";
import { fifteenClassSet, fifteenHeadsPath, type FifteenResults } from "./06_fifteen_classes.ts";
import { COVID_OUTPUT, fifteenLabels, type FifteenRecord } from "../data/fifteen_classes.ts";
import type { NihRecord } from "../data/datasets/mod.ts";
import type { NihBackbone } from "../experiments/backbones.ts";
import { testFoldOf } from "../data/folds.ts";
import { fmtCi, fmtDiff } from "../format.ts";
import { type ChapterSummary, sortVerdicts } from "../report/summary.ts";
import { join } from "node:path";

/** The three versions of an image the chapter scores. */
export const VERSIONS = ["intact", "lungs removed", "lungs only"] as const;
export type Version = typeof VERSIONS[number];

const KEEP: Record<Exclude<Version, "intact">, Keep> = {
  "lungs removed": "outside-lungs",
  "lungs only": "lungs-only",
};

/** A learned arm of chapter 3, as this chapter scores it. */
export interface ShortcutArm {
  readonly key: string;
  readonly arm: string;
  readonly kind: "frozen" | "fine-tuned";
  readonly arch: ModelName;
  /** Chapter 3's AUC of the arm, all images. */
  readonly internal: { estimate: number; lo: number; hi: number };
  /** Per fold (repeat 0): the validation threshold, and what scores the fold. */
  readonly folds: readonly {
    fold: number;
    threshold?: number;
    model?: string;
    head?: { kernel: number[]; bias: number };
  }[];
  readonly init?: Initialisation;
}

/** The study's task, as chapter 3 trains it. */
const BINARY_TASK = "COVID-19 vs other";

/** Chapter 3's arms that learned (frozen and fine-tuned), ready to score new images. */
export async function shortcutArms(
  profile: Profile,
  starts: readonly StartingPoint[],
  folds: readonly Fold<XrayRecord>[],
): Promise<{ arms: ShortcutArm[]; transfer: TransferResults; notLearned: string[] }> {
  const transfer = await readResults<TransferResults>("covid-transfer", profile, "3");
  assertSameFolds(transfer, folds);
  const arms: ShortcutArm[] = [];
  const notLearned: string[] = [];
  for (const a of transfer.arms.filter((x) => x.kind === "frozen" || x.kind === "fine-tuned")) {
    // the learn rule alone decides: a start whose ChestX-ray14 backbone failed its gate still
    // gives a model that learned the COVID-19 task (chapter 3 renames the start, not the arm)
    if (!a.learned) {
      notLearned.push(`${a.arm}: ${a.learnedReason}`);
      continue;
    }
    arms.push(await shortcutArm(a, profile, starts));
  }
  return { arms, transfer, notLearned };
}

async function shortcutArm(
  a: ArmResult,
  profile: Profile,
  starts: readonly StartingPoint[],
): Promise<ShortcutArm> {
  const arch = a.arch as ModelName;
  const first = a.folds.filter((f) => f.repeat === 0);
  const base = {
    key: a.key,
    arm: a.arm,
    arch,
    internal: { estimate: a.mean, lo: a.lo, hi: a.hi },
  };
  if (a.kind === "fine-tuned") {
    return {
      ...base,
      kind: "fine-tuned",
      folds: first.map((f) => ({ fold: f.fold, threshold: f.threshold, model: f.model })),
    };
  }
  const start = starts.find((s) => s.key === a.start);
  if (!start) throw new Error(`chapter 3's start "${a.start}" is unknown here`);
  const { heads } = await readFoldHeads(`covid-frozen-${arch}-${a.start}`, profile);
  return {
    ...base,
    kind: "frozen",
    init: start.init(arch),
    folds: first.map((f) => ({
      fold: f.fold,
      threshold: f.threshold,
      head: heads.find((h) => h.fold === f.fold),
    })),
  };
}

/**
 * Scores of images by one fold's model of an arm. A frozen arm builds its backbone once and
 * applies each fold's head to the pooled features; a fine-tuned arm loads each fold's model.
 */
async function armScorer(arm: ShortcutArm, side: number): Promise<{
  score: (fold: number, images: readonly GreyImage[]) => Promise<number[]>;
  dispose: () => void;
}> {
  if (arm.kind === "frozen") {
    const model = await createModel({ arch: arm.arch, side, outputs: 1, init: arm.init! });
    const extractor = featureModel(model);
    return {
      score: async (fold, images) => {
        const head = arm.folds.find((f) => f.fold === fold)?.head;
        if (!head) throw new Error(`${arm.arm} has no head for fold ${fold}`);
        return await scoreWith(images, arm.arch, (x) => {
          const pooled = tf.mean(extractor.predict(x) as tf.Tensor4D, [1, 2]) as tf.Tensor2D;
          const logits = tf.add(
            tf.matMul(pooled, tf.tensor2d(head.kernel, [head.kernel.length, 1])),
            head.bias,
          );
          return tf.sigmoid(logits) as tf.Tensor2D;
        });
      },
      dispose: () => model.dispose(),
    };
  }
  const loaded = new Map<number, tf.LayersModel>();
  return {
    score: async (fold, images) => {
      let model = loaded.get(fold);
      if (!model) {
        for (const m of loaded.values()) m.dispose(); // one fold's model at a time
        loaded.clear();
        const dir = arm.folds.find((f) => f.fold === fold)?.model;
        if (!dir) throw new Error(`${arm.arm} kept no model for fold ${fold}`);
        model = (await loadClassifier(join(PROJECT_ROOT, dir))).model;
        loaded.set(fold, model);
      }
      const m = model;
      return await scoreWith(images, arm.arch, (x) => m.predict(x) as tf.Tensor2D);
    },
    dispose: () => loaded.forEach((m) => m.dispose()),
  };
}

/** One fold's whole classifier of an arm (for maps): the saved model, or backbone + head. */
async function foldModel(
  arm: ShortcutArm,
  fold: number,
  side: number,
): Promise<tf.LayersModel> {
  const f = arm.folds.find((x) => x.fold === fold);
  if (!f) throw new Error(`${arm.arm} has no fold ${fold}`);
  if (arm.kind === "fine-tuned") {
    return (await loadClassifier(join(PROJECT_ROOT, f.model!))).model;
  }
  const model = await createModel({ arch: arm.arch, side, outputs: 1, init: arm.init! });
  const weights = [
    tf.tensor2d(f.head!.kernel, [f.head!.kernel.length, 1]),
    tf.tensor1d([f.head!.bias]),
  ];
  model.getLayer(HEAD_DENSE).setWeights(weights);
  tf.dispose(weights);
  return model;
}

/**
 * Gallery rows for a few images of fold 0: one row per version, each tile with the fold-0
 * model's map and score — what the model sees when the lungs are gone, or alone.
 */
export async function versionGallery<R extends XrayRecord>(
  arm: ShortcutArm,
  set: OccludedSet<R>,
  count: number,
  side: number,
): Promise<{ title: string; tiles: CamTile[] }[]> {
  const idx = set.fold.map((f, i) => (f === 0 ? i : -1)).filter((i) => i >= 0);
  const picked = [
    ...idx.filter((i) => set.labels[i] === 1).slice(0, Math.ceil(count / 2)),
    ...idx.filter((i) => set.labels[i] === 0).slice(0, Math.floor(count / 2)),
  ];
  const model = await foldModel(arm, 0, side);
  const rows = [];
  for (const v of VERSIONS) {
    const images = picked.map((i) => set.versions[v][i]);
    const { heat, scores } = await camsOf(model, arm.arch, images);
    rows.push({
      title: `${arm.arm} — ${v}`,
      tiles: images.map((image, k) => ({
        image,
        heat: heat[k],
        score: scores[k],
        label: set.labels[picked[k]] ? "COVID-19" : set.records[picked[k]].findingText,
      })),
    });
  }
  model.dispose();
  return rows;
}

async function scoreWith(
  images: readonly GreyImage[],
  arch: ModelName,
  forward: (x: tf.Tensor4D) => tf.Tensor2D,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < images.length; i += 8) {
    const x = modelInput(images.slice(i, i + 8), arch);
    const y = tf.tidy(() => forward(x));
    out.push(...(await y.data() as Float32Array));
    tf.dispose([x, y]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lungs removed, lungs only

/** The images of a task in three versions, with their folds and labels. */
export interface OccludedSet<R extends XrayRecord> {
  readonly records: R[];
  readonly fold: number[];
  readonly labels: number[];
  readonly versions: Record<Version, GreyImage[]>;
  /** Each image's lung mask as annotated (before dilation). */
  readonly masks: LungMask[];
  /** Images of the task left out: no lung annotation. */
  readonly withoutMask: number;
  /** How much the masks were grown, in pixels. */
  readonly dilation: number;
}

/**
 * Decode every record with a mask, build its three versions (mask dilated by side/32 pixels). The
 * mask of each record comes from `maskOf` (its own annotation, or a population mask).
 */
export async function occludedSet<R extends XrayRecord>(
  records: readonly R[],
  foldOf: ReadonlyMap<string, number>,
  label: (r: R) => number,
  maskOf: (r: R) => Promise<LungMask | undefined>,
  side: number,
): Promise<OccludedSet<R>> {
  const dilation = dilationAt(side);
  const out = {
    records: [] as R[],
    fold: [] as number[],
    labels: [] as number[],
    versions: { intact: [], "lungs removed": [], "lungs only": [] } as Record<Version, GreyImage[]>,
    masks: [] as LungMask[],
    withoutMask: 0,
    dilation,
  };
  const progress = new Progress("lungs removed / only", records.length, { unit: "img" });
  for (const r of records) {
    progress.tick();
    const mask = await maskOf(r);
    const fold = foldOf.get(`${r.source}/${r.imageId}`);
    if (!mask || fold === undefined) {
      if (!mask) out.withoutMask++;
      continue;
    }
    const image = await decodeGrey(r.path, side);
    const grown = dilateMask(mask, dilation);
    out.records.push(r);
    out.fold.push(fold);
    out.labels.push(label(r));
    out.masks.push(mask);
    out.versions.intact.push(image);
    out.versions["lungs removed"].push(occlude(image, grown, KEEP["lungs removed"]));
    out.versions["lungs only"].push(occlude(image, grown, KEEP["lungs only"]));
  }
  await progress.finish();
  return out;
}

/**
 * The share of images a mask covers, averaged: a population lung mask (≥ half of the masks
 * cover the pixel) for images without their own annotation, applied to every image of a task
 * so both classes lose the same region.
 */
function populationMask(masks: readonly LungMask[]): LungMask {
  if (!masks.length) throw new Error("no lung masks to average");
  const side = masks[0].side;
  const counts = new Float64Array(side * side);
  for (const m of masks) {
    if (m.side !== side) throw new Error(`masks of ${m.side} and ${side} px do not fit`);
    m.data.forEach((v, i) => (counts[i] += v));
  }
  const data = Uint8Array.from(counts, (c) => (c >= masks.length / 2 ? 1 : 0));
  return { side, data, source: `population (${masks.length} masks)` };
}

/** One arm's AUC per version: fold intervals, and each occluded version − intact, paired. */
export interface VersionResult {
  readonly arm: string;
  readonly task: string;
  readonly images: number;
  readonly versions: Record<Version, Estimate & { perFold: readonly number[] }>;
  /** Version − intact, fold by fold. */
  readonly drops: Record<Exclude<Version, "intact">, ComparisonInput>;
}

/** Score every image of the set in its three versions with the model of its fold. */
async function versionScores<R extends XrayRecord>(
  set: OccludedSet<R>,
  score: (fold: number, images: readonly GreyImage[]) => Promise<number[]>,
): Promise<Record<Version, number[]>> {
  const out = {} as Record<Version, number[]>;
  for (const v of VERSIONS) {
    const scores = new Array<number>(set.records.length).fill(NaN);
    for (const fold of [...new Set(set.fold)].sort()) {
      const idx = set.fold.map((f, i) => (f === fold ? i : -1)).filter((i) => i >= 0);
      const s = await score(fold, idx.map((i) => set.versions[v][i]));
      idx.forEach((i, k) => (scores[i] = s[k]));
    }
    out[v] = scores;
  }
  return out;
}

/** Fold AUCs of each version and the paired drops. */
function versionResult<R extends XrayRecord>(
  arm: string,
  task: string,
  set: OccludedSet<R>,
  scores: Record<Version, number[]>,
): VersionResult {
  const folds = [...new Set(set.fold)].sort();
  const perFold = (v: Version) =>
    folds.map((fold) => {
      const idx = set.fold.map((f, i) => (f === fold ? i : -1)).filter((i) => i >= 0);
      const y = idx.map((i) => set.labels[i]);
      const pos = y.reduce((a, b) => a + b, 0);
      return [pos === 0 || pos === y.length ? NaN : auc(idx.map((i) => scores[v][i]), y)];
    });
  const versions = Object.fromEntries(VERSIONS.map((v) => {
    const e = foldInterval(perFold(v));
    return [v, { ...e, lo: Math.max(0, e.lo), hi: Math.min(1, e.hi) }];
  })) as unknown as VersionResult["versions"];
  const drop = (v: Exclude<Version, "intact">): ComparisonInput => {
    const d = foldDifference(perFold(v), perFold("intact"));
    return {
      a: { arm: `${arm}: ${v}` },
      b: { arm: "intact" },
      difference: d.estimate,
      se: d.se,
      df: d.df,
      measure: `${task}: test AUC, mean over folds`,
    };
  };
  return {
    arm,
    task,
    images: set.records.length,
    versions,
    drops: { "lungs removed": drop("lungs removed"), "lungs only": drop("lungs only") },
  };
}

/**
 * Score every arm on the three versions of the binary task's images (each with its fold's
 * model) and on the external images (every fold's model), loading each arm's models once.
 */
export async function scoreArms(
  arms: readonly ShortcutArm[],
  binary: OccludedSet<XrayRecord>,
  external: ExternalSet,
  options: { side: number; resamples: number },
): Promise<{ versions: VersionResult[]; external: ExternalResult[] }> {
  const versions: VersionResult[] = [], rows: ExternalResult[] = [];
  for (const arm of arms) {
    const scorer = await armScorer(arm, options.side);
    const scores = await versionScores(binary, scorer.score);
    versions.push(versionResult(arm.arm, BINARY_TASK, binary, scores));
    const ext = await externalScores(arm, external, scorer.score);
    for (const g of externalGroups(external)) {
      rows.push(externalResult(arm, external, ext, g.group, g.keep, options.resamples));
    }
    scorer.dispose();
  }
  return { versions, external: rows };
}

// ---------------------------------------------------------------------------------------------
// Chapter 6's COVID-19-vs-rest head, on the 15-class set

/**
 * Chapter 6's task in three versions: its cross-validated 15-class set, every image (of both
 * classes) losing the same region — the population lung mask of `masks` — scored by its fold's
 * head; returns the set (for counts) and the arm's result.
 */
export async function fifteenVersions(options: {
  readonly profile: Profile;
  readonly nih: readonly NihRecord[];
  readonly covid: readonly CovidRecord[];
  readonly backbone: NihBackbone;
  readonly masks: readonly LungMask[];
}): Promise<{ set?: OccludedSet<FifteenRecord>; result?: VersionResult; notLearned?: string }> {
  const { profile, backbone } = options;
  const six = await readResults<FifteenResults>("fifteen-classes", profile, "6");
  if (!six.covidCnn.learned) {
    const c = six.covidCnn;
    return { notLearned: `chapter 6's 15-class head: AUC ${fmtCi(c.auc, c.lo, c.hi)} reaches 0.5` };
  }
  const side = profile.imageSide;
  const fifteen = fifteenClassSet(
    options.nih,
    options.covid,
    backbone.trainedOn,
    profile.classBudget,
    profile.folds,
  );
  const arm = await fifteenClassArm(profile, backbone.dir, fifteen.folds);
  const population = populationMask(options.masks);
  const isCovid = (r: FifteenRecord) => fifteenLabels(r)[COVID_OUTPUT];
  const foldOf = testFoldOf(fifteen.folds);
  const set = await occludedSet(
    fifteen.records,
    foldOf,
    isCovid,
    () => Promise.resolve(population),
    side,
  );
  const scorer = await armScorer(arm, side);
  const scores = await versionScores(set, scorer.score);
  scorer.dispose();
  return { set, result: versionResult(arm.arm, "COVID-19 vs 14 findings", set, scores) };
}

/** Chapter 6's fold heads (COVID-19 output) on chapter 2's DenseNet121, as an arm. */
async function fifteenClassArm(
  profile: Profile,
  backboneDir: string,
  folds: readonly Fold<XrayRecord>[],
): Promise<ShortcutArm> {
  const results = await readResults<FifteenResults>("fifteen-classes", profile, "6");
  const hashes = folds.map((f) => recordsHashOf(f.test));
  if (JSON.stringify(hashes) !== JSON.stringify(results.foldHashes)) {
    throw new Error("chapter 6's results were computed on other folds: re-run chapter 6 first");
  }
  const { heads } = JSON.parse(await Deno.readTextFile(fifteenHeadsPath(profile))) as {
    heads: { fold: number; kernel: number[]; bias: number }[];
  };
  return {
    key: "fifteen-cnn",
    arm: "15-class head (COVID-19 output), ChestX-ray14 DenseNet121",
    kind: "frozen",
    arch: "densenet121",
    internal: {
      estimate: results.covidCnn.auc,
      lo: results.covidCnn.lo,
      hi: results.covidCnn.hi,
    },
    init: { from: backboneDir },
    folds: heads.map((h) => ({ fold: h.fold, head: h })),
  };
}

// ---------------------------------------------------------------------------------------------
// External validation

/** The external images, copies of training images removed, and what was skipped. */
export interface ExternalSet {
  readonly records: ExternalRecord[];
  readonly images: GreyImage[];
  readonly skipped: readonly SkippedRow[];
  /** External images that are copies of a COVID-19 collection image (removed). */
  readonly copies: readonly { image: string; of: string; distance: number; correlation: number }[];
  /** Labelled rows per collection before anything was removed, by class. */
  readonly labelled: Record<string, { covid: number; noFinding: number }>;
}

/**
 * Both external collections: labelled rows with their image on disk, minus copies (by content)
 * of any image of the COVID-19 collection — every one of those trained some fold's model.
 */
export async function externalSet(
  training: readonly CovidRecord[],
  side: number,
): Promise<ExternalSet> {
  return await withActivity("external collections", async () => {
    const loaded = await Promise.all(EXTERNAL_COLLECTIONS.map((n) => loadExternal(n)));
    const all = loaded.flatMap((d) => d.records);
    const skipped: SkippedRow[] = loaded.flatMap((d) => d.skipped);
    const copies = await copiesOf(all, training);
    const copied = new Set(copies.map((c) => c.record));
    for (const c of copies) {
      skipped.push({
        file: c.record.path,
        imageId: c.record.imageId,
        patientId: c.record.patientId,
        reason: "copy-of-training-image",
        detail: `the same image as ${c.of.imageId} of the COVID-19 collection`,
      });
    }
    const records: ExternalRecord[] = [], images: GreyImage[] = [];
    for (const r of all.filter((x) => !copied.has(x))) {
      try {
        images.push(await decodeGrey(r.path, side));
        records.push(r);
      } catch (e) {
        skipped.push({
          file: r.path,
          imageId: r.imageId,
          patientId: r.patientId,
          reason: "bad-image",
          detail: (e as Error).message,
        });
      }
    }
    const labelled = Object.fromEntries(loaded.map((d) => [d.name, {
      covid: d.records.filter((r) => r.covid).length,
      noFinding: d.records.filter((r) => !r.covid).length,
    }]));
    return {
      records,
      images,
      skipped,
      copies: copies.map((c) => ({
        image: `${c.record.source}/${c.record.imageId}`,
        of: c.of.imageId,
        distance: c.distance,
        correlation: c.correlation,
      })),
      labelled,
    };
  });
}

/** One arm's external numbers for one group of images (a collection, a view, or all). */
export interface ExternalResult {
  readonly arm: string;
  readonly group: string;
  readonly positives: number;
  readonly negatives: number;
  readonly auc?: Estimate;
  /** At each fold model's validation threshold, averaged over the fold models. */
  readonly sensitivity?: Estimate;
  readonly specificity?: Estimate;
  readonly note?: string;
}

/** Every fold model's scores of every external image: `[fold][image]`. */
async function externalScores(
  arm: ShortcutArm,
  set: ExternalSet,
  score: (fold: number, images: readonly GreyImage[]) => Promise<number[]>,
): Promise<number[][]> {
  const out: number[][] = [];
  for (const f of arm.folds) out.push(await score(f.fold, set.images));
  return out;
}

/**
 * AUC (COVID-19 vs No finding) and sensitivity/specificity at the validation thresholds, for a
 * group of external images: the mean over fold models, with an interval from a patient bootstrap
 * plus the fold models' spread. A group without both classes, or with fewer than 5 of either,
 * gets no AUC.
 */
function externalResult(
  arm: ShortcutArm,
  set: ExternalSet,
  scores: readonly (readonly number[])[],
  group: string,
  keep: (r: ExternalRecord) => boolean,
  resamples: number,
): ExternalResult {
  const idx = set.records.map((r, i) => (keep(r) ? i : -1)).filter((i) => i >= 0);
  const labels: number[] = idx.map((i) => (set.records[i].covid ? 1 : 0));
  const groups = idx.map((i) => patientKey(set.records[i]));
  const positives = labels.reduce((a, b) => a + b, 0), negatives = labels.length - positives;
  const base = { arm: arm.arm, group, positives, negatives };
  if (positives < 5 || negatives < 5) {
    return { ...base, note: "fewer than 5 images of a class: no AUC" };
  }
  const s = scores.map((row) => idx.map((i) => row[i]));
  const aucEst = onLogitScale(sharedTestInterval(s, labels, groups, { resamples }));
  const rate = (cls: number) =>
    sharedTestStatistic(s.length, groups, (m, sub) => {
      const t = arm.folds[m].threshold ?? 0.5;
      const ofClass = sub.filter((i) => labels[i] === cls);
      if (!ofClass.length) return NaN;
      const called = ofClass.filter((i) => (s[m][i] >= t) === (cls === 1)).length;
      return called / ofClass.length;
    }, { resamples, valid: (sub) => sub.some((i) => labels[i] === cls) });
  const clip = (e: Estimate): Estimate => ({ ...e, lo: Math.max(0, e.lo), hi: Math.min(1, e.hi) });
  return { ...base, auc: aucEst, sensitivity: clip(rate(1)), specificity: clip(rate(0)) };
}

/** The groups external results are reported for: each collection, each view, all. */
function externalGroups(
  set: ExternalSet,
): { group: string; keep: (r: ExternalRecord) => boolean }[] {
  const views = [...new Set(set.records.map((r) => viewGroup(r.view)))].sort();
  return [
    { group: "all external", keep: () => true },
    ...EXTERNAL_COLLECTIONS.map((c: ExternalName) => ({
      group: collectionName(c),
      keep: (r: ExternalRecord) => r.collection === c,
    })),
    ...views.map((v) => ({
      group: `view ${v}`,
      keep: (r: ExternalRecord) => viewGroup(r.view) === v,
    })),
  ];
}

/** "AP erect", "AP Supine" → "AP"; "PA"; "unknown". */
function viewGroup(view: string): string {
  if (view.startsWith("AP")) return "AP";
  if (view === "PA") return "PA";
  return "unknown";
}

/** Display name of a collection. */
function collectionName(c: ExternalName): string {
  return c === "figure1" ? "Figure1" : "Actualmed";
}

// ---------------------------------------------------------------------------------------------
// Decisions, the figure, the results and the summary

/** One Holm family: every arm's lungs-removed and lungs-only AUC against intact. */
export function shortcutFamily(results: readonly VersionResult[]): Verdict[] {
  return decideFamily(results.flatMap((r) => [r.drops["lungs removed"], r.drops["lungs only"]]));
}

/** A row of the chapter's figure. */
export interface StoryRow {
  readonly arm: string;
  readonly condition: string;
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * The figure that tells the story: per learned arm, the AUC intact (the images with a lung
 * mask), with the lungs removed, with only the lungs, in a new hospital and pooled externally;
 * the controls that see no disease as a panel of their own; the study's 0.88 as a red line,
 * chance as a dashed one.
 */
export async function showStory(rows: readonly StoryRow[], caption: string): Promise<void> {
  const arms = [...new Set(rows.map((r) => r.arm))];
  const conditions = [...new Set(rows.map((r) => r.condition))];
  await showPlot({
    caption,
    width: 720,
    height: 40 + arms.length * (conditions.length * 14 + 28),
    marginLeft: 150,
    x: { domain: [0, 1], label: "AUC (95% CI)", grid: true },
    y: { domain: conditions, label: null },
    fy: { domain: arms, label: null },
    color: {
      legend: true,
      domain: conditions,
      range: [
        "#4363d8",
        "#e6194b",
        "#3cb44b",
        "#f58231",
        "#911eb4",
        "#808080",
        "#469990",
        "#9a6324",
      ],
    },
    marks: [
      Plot.ruleX([0.5], { stroke: "currentColor", strokeOpacity: 0.5, strokeDasharray: "3 3" }),
      Plot.ruleX([STUDY_COVID_AUC.nihPretrained], { stroke: "#e6194b", strokeOpacity: 0.6 }),
      Plot.ruleY(rows, { fy: "arm", y: "condition", x1: "lo", x2: "hi", stroke: "condition" }),
      Plot.dot(rows, { fy: "arm", y: "condition", x: "estimate", fill: "condition", r: 3.5 }),
    ],
  }, "the shortcut tests at a glance");
}

/** The figure's rows from the chapter's results. */
export function storyRows(
  versions: readonly VersionResult[],
  external: readonly ExternalResult[],
  controls: readonly ArmResult[],
): StoryRow[] {
  const rows: StoryRow[] = [];
  // intact is the images with a lung mask (not chapter 3's whole set); the pooled external set
  // is marked, since its classes come mostly from different collections
  const label: Record<Version, string> = {
    intact: "intact (images with a lung mask)",
    "lungs removed": "lungs removed",
    "lungs only": "lungs only",
  };
  const groups = [
    { group: "Actualmed", condition: "new hospital (Actualmed)" },
    { group: "all external", condition: "Figure1 + Actualmed pooled (confounded)" },
  ];
  for (const v of versions) {
    for (const version of VERSIONS) {
      const e = v.versions[version];
      rows.push({
        arm: v.arm,
        condition: label[version],
        estimate: e.estimate,
        lo: e.lo,
        hi: e.hi,
      });
    }
    for (const { group, condition } of groups) {
      const ext = external.find((x) => x.arm === v.arm && x.group === group);
      if (ext?.auc) {
        rows.push({
          arm: v.arm,
          condition,
          estimate: ext.auc.estimate,
          lo: ext.auc.lo,
          hi: ext.auc.hi,
        });
      }
    }
  }
  for (const c of controls) {
    rows.push({
      arm: "controls (no disease)",
      condition: c.arm,
      estimate: c.mean,
      lo: c.lo,
      hi: c.hi,
    });
  }
  return rows;
}

/** What chapter 7 saves. */
export interface ShortcutResults extends Record<string, unknown> {
  readonly side: number;
  readonly dilation: number;
  readonly binary: { readonly images: number; readonly withoutMask: number };
  readonly fifteen?: { readonly images: number; readonly mask: string };
  readonly notLearned: readonly string[];
  readonly versions: readonly VersionResult[];
  readonly comparisons: readonly Verdict[];
  readonly controls: readonly { arm: string; mean: number; lo: number; hi: number }[];
  readonly controlVerdicts: readonly Verdict[];
  /** The chapter's answer: what the study's AUC can and cannot mean (see shortcutConclusion). */
  readonly conclusion?: string;
  readonly external: {
    readonly results: readonly ExternalResult[];
    readonly copies: ExternalSet["copies"];
    readonly skipped: Record<string, number>;
    readonly labelled: ExternalSet["labelled"];
    readonly images: { readonly covid: number; readonly noFinding: number };
  };
}

/** Everything chapter 7 saves. */
export function shortcutResults(r: {
  side: number;
  binary: OccludedSet<XrayRecord>;
  fifteen?: OccludedSet<FifteenRecord>;
  notLearned: readonly string[];
  versions: readonly VersionResult[];
  comparisons: readonly Verdict[];
  transfer: TransferResults;
  external: ExternalSet;
  externalResults: readonly ExternalResult[];
}): ShortcutResults {
  const controls = r.transfer.arms.filter((a) => a.kind === "control")
    .map((a) => ({ arm: a.arm, mean: a.mean, lo: a.lo, hi: a.hi }));
  const skipped: Record<string, number> = {};
  for (const s of r.external.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
  const covid = r.external.records.filter((x) => x.covid).length;
  const results: ShortcutResults = {
    side: r.side,
    dilation: r.binary.dilation,
    binary: { images: r.binary.records.length, withoutMask: r.binary.withoutMask },
    fifteen: r.fifteen &&
      { images: r.fifteen.records.length, mask: r.fifteen.masks[0]?.source ?? "" },
    notLearned: r.notLearned,
    versions: r.versions,
    comparisons: r.comparisons,
    controls,
    controlVerdicts: r.transfer.controlVerdicts,
    external: {
      results: r.externalResults,
      copies: r.external.copies,
      skipped,
      labelled: r.external.labelled,
      images: { covid, noFinding: r.external.records.length - covid },
    },
  };
  return { ...results, conclusion: shortcutConclusion(results).text };
}

/** Chapter 7's summary: what the study's AUC can and cannot mean. */
export function summariseShortcuts(r: ShortcutResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  for (const v of r.versions) {
    const removed = v.versions["lungs removed"];
    const intact = v.versions.intact;
    const uses = learnedRule(removed, "AUC with the lungs removed").learned;
    (uses ? found : cannotSay).push(
      uses
        ? `${v.arm} still separates the classes with the lungs removed: AUC ` +
          `${fmtCi(removed.estimate, removed.lo, removed.hi)} against ${
            fmtCi(intact.estimate, intact.lo, intact.hi)
          } intact (${v.task}) — it uses what lies outside the lungs.`
        : removed.hi < 0.5
        // below chance: the masked films still carry the classes, inverted; they lie outside what
        // the model was trained on, so this shows neither use nor absence of a cue outside the lungs
        ? `Whether ${v.arm} uses what lies outside the lungs: with them removed its AUC falls ` +
          `below chance, ${fmtCi(removed.estimate, removed.lo, removed.hi)} (${v.task}): the ` +
          "films without lungs still separate the classes, but inverted — on films unlike any it " +
          "was trained on its ranking turns over, which shows neither that it uses a cue outside " +
          "the lungs nor that none is there."
        : `Whether ${v.arm} uses what lies outside the lungs: with them removed its AUC is ` +
          `${fmtCi(removed.estimate, removed.lo, removed.hi)}, an interval that reaches 0.5 ` +
          `(${v.task}).`,
    );
  }
  sortVerdicts(r.comparisons, { found, cannotSay }, {
    shown: (c) => `${c.verdict}: ${fmtDiff(c.difference, c.lo, c.hi)}.`,
    notShown: () => undefined,
    untestable: () => undefined,
  });
  const beaten = r.controlVerdicts.filter((v) => v.testable && v.shown && (v.difference ?? 0) > 0);
  const tested = r.controlVerdicts.filter((v) => v.testable);
  const best = [...r.controls].sort((a, b) => b.mean - a.mean)[0];
  if (best) {
    found.push(
      `Controls that see no disease reach up to ${fmtCi(best.mean, best.lo, best.hi)} ` +
        `(${best.arm}); ${beaten.length} of ${tested.length} arm-versus-control comparisons ` +
        "(chapter 3, Holm) show an arm ahead of a control.",
    );
  }
  const hospital = r.external.results.filter((x) => x.group === "Actualmed" && x.auc);
  if (hospital.length) {
    const [reach, not] = partition(hospital, (x) => x.auc!.lo > 0.5);
    const x = hospital[0];
    const list = (xs: readonly ExternalResult[]) =>
      xs.map((y) => `${y.arm} ${fmtCi(y.auc!.estimate, y.auc!.lo, y.auc!.hi)}`).join("; ");
    (reach.length ? found : cannotSay).push(
      `In a hospital no model saw (Actualmed: ${x.positives} COVID-19, ${x.negatives} "No ` +
        `finding" films), ${reach.length} of ${hospital.length} learned arms separate the ` +
        `classes (AUC above 0.5): ${list(reach) || "none"}` +
        (not.length ? `; not measurably: ${list(not)}` : "") +
        ". Its negatives are healthy films, the internal ones other diseases, so these AUCs " +
        "are not comparable with chapter 3's; sensitivity and specificity are in the table.",
    );
  }
  const pooled = r.external.results.find((x) => x.group === "all external" && x.auc);
  if (pooled) {
    cannotSay.push(
      `What the pooled external AUCs mean (${pooled.positives} COVID-19, ${pooled.negatives} ` +
        '"No finding"): nearly all COVID-19 films come from Figure1, a case-sharing site, and ' +
        "nearly all negatives from Actualmed, so pooling them again rewards telling the " +
        "collections apart; the figure shows them, marked as pooled.",
    );
  }
  cannotSay.push(
    `How well these models do in new hospitals, precisely: with ${r.external.images.covid} ` +
      `COVID-19 and ${r.external.images.noFinding} "No finding" images the intervals are wide, ` +
      "and the negatives are healthy films while the internal negatives are other diseases. A " +
      "data root with all 238 Actualmed images (the main job fetches them) has 58 COVID-19 and " +
      "127 No-finding films from one hospital.",
  );
  if (r.notLearned.length) {
    cannotSay.push(
      `The ${r.notLearned.length} ${
        r.notLearned.length === 1 ? "arm" : "arms"
      } that did not learn in chapter 3 are not tested here.`,
    );
  }
  const conclusion = shortcutConclusion(r);
  (conclusion.measured ? found : cannotSay).push(conclusion.text);
  return { found, cannotSay };
}

/**
 * The chapter's answer in one paragraph, from what it measured: how high the controls that see
 * no disease reach, whether learned arms keep their AUC with the lungs removed, and what is left
 * in new hospitals. Where nothing was measurable it says so instead of concluding.
 */
function shortcutConclusion(r: ShortcutResults): { measured: boolean; text: string } {
  const study = STUDY_COVID_AUC.nihPretrained;
  const parts: string[] = [];
  const controls = r.controls.filter((c) => c.lo > 0.5).sort((a, b) => b.mean - a.mean);
  const tested = r.controlVerdicts.filter((v) => v.testable);
  const ahead = tested.filter((v) => v.shown && (v.difference ?? 0) > 0);
  if (controls.length) {
    parts.push(
      `a control that sees no disease (${controls[0].arm}) reaches ` +
        `${fmtCi(controls[0].mean, controls[0].lo, controls[0].hi)}, and ${ahead.length} of ` +
        `${tested.length} comparisons show a network ahead of a control`,
    );
  }
  // the study's task alone: chapter 6's 15-class head is another task (source = class there)
  const binary = r.versions.filter((v) => v.task === BINARY_TASK);
  const outside = binary.filter((v) => v.versions["lungs removed"].lo > 0.5);
  if (binary.length) {
    parts.push(
      `with the lungs removed ${outside.length} of ${binary.length} learned models of this ` +
        "task keep an AUC above chance",
    );
  }
  const ext = r.external.results.filter((x) => x.group === "Actualmed" && x.auc);
  if (ext.length) {
    // the range over the models whose interval clears chance: one that does not separate the
    // classes there says nothing about how far the others reach
    const separating = ext.filter((x) => x.auc!.lo > 0.5).map((x) => x.auc!.estimate);
    const range = separating.length
      ? `, AUC ${Math.min(...separating).toFixed(2)}–${Math.max(...separating).toFixed(2)}`
      : "";
    parts.push(
      `in a hospital no model saw (healthy negatives) ${separating.length} of ${ext.length} ` +
        `models separate COVID-19 from the rest${range}`,
    );
  }
  if (!r.versions.length && !controls.length) {
    return {
      measured: false,
      text: `What the study's ${study} means cannot be settled at this scale: no arm learned, ` +
        "so the shortcut tests had nothing to test.",
    };
  }
  if (!controls.length && !outside.length) {
    return {
      measured: false,
      text: `Whether the study's ${study} reflects shortcuts: at this scale ${parts.join("; ")}, ` +
        "and no control reached an AUC above chance.",
    };
  }
  // say only what was measured: a control's AUC is a cue without disease; a model's AUC with
  // the lungs removed is a cue outside the lungs
  const why = [
    ...(controls.length && !ahead.length
      ? ["a control that sees no disease does as well as the networks"]
      : controls.length
      ? ["much of it is available to a control that sees no disease"]
      : []),
    ...(outside.length ? ["some of it survives with the lungs removed"] : []),
  ].join(", and ");
  return {
    measured: true,
    text: `On this data combination ${parts.join("; ")}. So an AUC like the study's ${study}, ` +
      `measured on the same combination of sources, cannot by itself show that a model detects ` +
      `COVID-19: ${why}.`,
  };
}

function partition<T>(xs: readonly T[], keep: (x: T) => boolean): [T[], T[]] {
  return [xs.filter(keep), xs.filter((x) => !keep(x))];
}
