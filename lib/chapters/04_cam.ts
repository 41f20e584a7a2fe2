/**
 * Chapter 4's conclusions, from its results.
 * @module
 */
import { tf } from "../backend/mod.ts";
import { decodeGrey, type GreyImage } from "../data/images.ts";
import type { ModelName } from "../data/normalise.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { NIH_FINDINGS, type NihFinding, patientKey } from "../data/record.ts";
import { bootstrapMean, pairedMeanDifference } from "../eval/bootstrap.ts";
import { decideFamily, type Verdict } from "../experiments/verdict.ts";
import { camsOf } from "../explain/apply.ts";
import { type LungMask, lungMask } from "../explain/lungs.ts";
import type { CamTile } from "../explain/overlay.ts";
import { createModel, type Initialisation } from "../models/build.ts";
import { HEAD_DENSE } from "../models/backbone.ts";
import { type FoldHeads, readFoldHeads } from "../experiments/cross_validated.ts";
import { ARCH_NAMES, type StartingPoint } from "../experiments/starts.ts";
import type { Profile } from "../config.ts";
import { readResults } from "../results.ts";
import type { TransferResults } from "./03_covid_transfer.ts";
import type { NihResults } from "./02_chestxray14.ts";
import type { Fold } from "../data/folds.ts";
import { recordsHash } from "../experiments/runs.ts";
import { lungSharesOf } from "../explain/apply.ts";
import type { XrayRecord } from "../data/record.ts";
import { fmtCi, fmtDiff } from "../format.ts";
import { type ChapterSummary, sortVerdicts } from "../report/summary.ts";

/** What chapter 4 saves. */
export interface CamResults extends Record<string, unknown> {
  readonly side: number;
  readonly cells: number;
  readonly images: number;
  readonly lungArea: { mean: number; lo: number; hi: number };
  readonly arms: readonly LungShareRow[];
  readonly comparisons: readonly Verdict[];
}

/** One arm's mean lung share, on the images whose map has positive mass. */
export interface LungShareRow {
  readonly arm: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly images: number;
  /** Why its maps explain nothing learned (its classifier did not measurably learn). */
  readonly notLearned?: string;
}

/** Chapter 4's summary: one plain sentence per finding. */
export function summariseCam(r: CamResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  const area = fmtCi(r.lungArea.mean, r.lungArea.lo, r.lungArea.hi);
  found.push(
    `The lungs cover ${area} of the image, on the ${r.images} images with a lung annotation ` +
      "(each mapped by the model of the fold that tested it): what a map spread evenly would " +
      "put on them.",
  );
  for (const a of r.arms) {
    const share = fmtCi(a.mean, a.lo, a.hi);
    const on = a.images < r.images ? ` (the ${a.images} images whose map has any mass)` : "";
    if (a.notLearned) {
      cannotSay.push(
        `What the maps of ${a.arm} show: it ${a.notLearned}, so they explain nothing.`,
      );
    } else {
      found.push(`${a.arm}'s maps put ${share} of their mass on the lungs${on}.`);
    }
  }
  sortVerdicts(r.comparisons, { found, cannotSay }, {
    shown: (v) => `${v.verdict}: ${fmtDiff(v.difference, v.lo, v.hi)}.`,
    notShown: (v) => `Whether ${v.a} and ${v.b} differ: ${v.verdict}.`,
    untestable: () => undefined,
  });
  const untestable = r.comparisons.filter((v) => !v.testable).length;
  if (untestable) {
    cannotSay.push(
      `${untestable} of the ${r.comparisons.length} comparisons are not testable: an arm they ` +
        "rest on did not learn, or its start failed the pretraining gate.",
    );
  }
  cannotSay.push(
    `Fine detail: at ${r.side} px the maps have ${r.cells}×${r.cells} cells, so ` +
      "a map can only say which part of the chest, not which structure, carries the evidence.",
  );
  return { found, cannotSay };
}

/** A model whose maps a gallery shows: a classifier at one fold. */
export interface CamModel {
  readonly arch: ModelName;
  readonly name: string;
  readonly model: tf.LayersModel;
}

/**
 * A frozen-backbone arm of chapter 3 as this chapter uses it: its verdict from chapter 3 (the
 * one learn rule), and every fold's head, so each image is mapped by the model of the fold
 * that tested it.
 */
export interface CamArm {
  readonly key: string;
  readonly arch: ModelName;
  /** "nih", "imagenet", "scratch" or "shuffled". */
  readonly start: string;
  readonly name: string;
  readonly init: Initialisation;
  readonly learned: boolean;
  /** Chapter 3's reason, learned or not. */
  readonly learnedReason: string;
  /** Why comparisons of its start are not testable (the start failed the gate). */
  readonly notTestable?: string;
  readonly heads: FoldHeads["heads"];
}

/**
 * Chapter 3's frozen arms, with chapter 3's verdicts and fold heads; `folds` must be the folds
 * chapter 3 tested on (checked by hash), or the heads would map images they trained on.
 */
export async function camArms(
  profile: Profile,
  starts: readonly StartingPoint[],
  folds: readonly Fold<XrayRecord>[],
): Promise<CamArm[]> {
  const results = await readResults<TransferResults>("covid-transfer", profile, "3");
  assertSameFolds(results, folds);
  const out: CamArm[] = [];
  for (const a of results.arms.filter((a) => a.kind === "frozen")) {
    const arch = a.arch as ModelName;
    const start = starts.find((s) => s.key === a.start);
    if (!start) continue;
    const { heads } = await readFoldHeads(`covid-frozen-${arch}-${a.start}`, profile);
    out.push({
      key: a.key,
      arch,
      start: a.start!,
      name: `${ARCH_NAMES[arch]} · ${start.name(arch)}`,
      init: start.init(arch),
      learned: a.learned,
      learnedReason: a.learnedReason,
      notTestable: start.notTestable(arch),
      heads,
    });
  }
  return out;
}

/** Throw unless `folds` are the folds chapter 3's results were computed on. */
export function assertSameFolds(
  results: Pick<TransferResults, "design">,
  folds: readonly Fold<XrayRecord>[],
): void {
  const hashes = folds.map((f) => recordsHash(f.test));
  if (JSON.stringify(hashes) !== JSON.stringify(results.design.foldHashes)) {
    throw new Error(
      "chapter 3's results were computed on other folds than the data gives now (data or " +
        "profile changed): re-run chapter 3 first",
    );
  }
}

/** The learned arms' classifiers at one fold, for galleries (the others get none). */
export async function galleryModels(
  arms: readonly CamArm[],
  side: number,
  fold: number,
): Promise<CamModel[]> {
  const out: CamModel[] = [];
  for (const arm of arms.filter((a) => a.learned)) {
    const { model, setFold } = await foldClassifier(arm, side);
    setFold(fold);
    out.push({ arch: arm.arch, name: arm.name, model });
  }
  return out;
}

/**
 * Of `candidates`, the findings chapter 2's DenseNet121 learned: its test AUC interval for the
 * finding lies above 0.5 (and the arm as a whole learned).
 */
export async function learnedFindings(
  profile: Profile,
  candidates: readonly NihFinding[],
): Promise<NihFinding[]> {
  const results = await readResults<NihResults>("chestxray14", profile, "2");
  const arm = results.arms.find((a) => a.arch === "densenet121" && a.init === "imagenet");
  if (!arm?.learned.learned) return [];
  return candidates.filter((f) => {
    const row = arm.perFinding.find((r) => r.label === f);
    return row?.status === "ok" && (row.lo ?? 0) > 0.5;
  });
}

/**
 * An arm's classifier (its backbone, built once) whose head can be set to any fold's:
 * `setFold(k)` before scoring the images fold k tested.
 */
export async function foldClassifier(arm: CamArm, side: number): Promise<{
  model: tf.LayersModel;
  setFold: (fold: number) => void;
}> {
  const model = await createModel({ arch: arm.arch, side, outputs: 1, init: arm.init });
  const setFold = (fold: number) => {
    const head = arm.heads.find((h) => h.fold === fold);
    if (!head) throw new Error(`${arm.name} has no head for fold ${fold}`);
    const weights = [tf.tensor2d(head.kernel, [head.kernel.length, 1]), tf.tensor1d([head.bias])];
    model.getLayer(HEAD_DENSE).setWeights(weights);
    tf.dispose(weights);
  };
  return { model, setFold };
}

/**
 * Each image's share of CAM mass on the lungs, every image mapped by the classifier of the fold
 * that tested it (`foldOf`: the image's fold, by `source/imageId`).
 */
export async function outOfFoldLungShares(
  arm: CamArm,
  masked: {
    records: readonly XrayRecord[];
    images: readonly GreyImage[];
    masks: readonly LungMask[];
  },
  foldOf: ReadonlyMap<string, number>,
  side: number,
): Promise<number[]> {
  const { model, setFold } = await foldClassifier(arm, side);
  const shares = new Array<number>(masked.images.length).fill(NaN);
  const folds = new Set(masked.records.map((r) => foldOf.get(`${r.source}/${r.imageId}`)!));
  for (const fold of [...folds].sort()) {
    const idx = masked.records.map((
      r,
      i,
    ) => (foldOf.get(`${r.source}/${r.imageId}`) === fold ? i : -1))
      .filter((i) => i >= 0);
    setFold(fold);
    const s = await lungSharesOf(
      model,
      arm.arch,
      idx.map((i) => masked.images[i]),
      idx.map((i) => masked.masks[i]),
    );
    idx.forEach((i, k) => (shares[i] = s[k]));
  }
  model.dispose();
  return shares;
}

/** Gallery rows: one per model, a tile per image with its map, score and label. */
export async function camRows(
  models: readonly CamModel[],
  images: readonly GreyImage[],
  records: readonly CovidRecord[],
  outlines?: readonly Uint8Array[],
): Promise<{ title: string; tiles: CamTile[] }[]> {
  const rows = [];
  for (const m of models) {
    const { heat, scores } = await camsOf(m.model, m.arch, images);
    const tiles = records.map((r, i) => ({
      image: images[i],
      heat: heat[i],
      score: scores[i],
      label: r.covid ? "COVID-19" : r.findingText,
      outline: outlines?.[i],
    }));
    rows.push({ title: m.name, tiles });
  }
  return rows;
}

/** Test images that have a lung annotation, decoded, with their masks and patients. */
export async function maskedImages(records: readonly CovidRecord[], side: number): Promise<{
  records: CovidRecord[];
  images: GreyImage[];
  masks: LungMask[];
  groups: string[];
  /** Each image's lung share of its area. */
  area: number[];
}> {
  const out = { records: [] as CovidRecord[], images: [] as GreyImage[], masks: [] as LungMask[] };
  for (const r of records) {
    const mask = await lungMask(r, side);
    if (!mask) continue;
    out.records.push(r);
    out.masks.push(mask);
    out.images.push(await decodeGrey(r.path, side));
  }
  return {
    ...out,
    groups: out.records.map(patientKey),
    area: out.masks.map((m) => m.data.reduce((a, b) => a + b, 0) / m.data.length),
  };
}

/** Each arm's mean lung share with its patient-bootstrap interval. */
export function lungShareRows(
  models: readonly CamArm[],
  shares: readonly number[][],
  groups: readonly string[],
  resamples: number,
): LungShareRow[] {
  return models.map((m, k) => {
    const ok = shares[k].map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
    const b = bootstrapMean(ok.map(([v]) => v), {
      groups: ok.map(([, i]) => groups[i]),
      resamples,
    });
    const row = { arm: m.name, mean: b.mean, lo: b.lo, hi: b.hi, images: ok.length };
    return m.learned
      ? row
      : { ...row, notLearned: `did not learn in chapter 3 (${m.learnedReason})` };
  });
}

/**
 * One Holm family: for every model, its lung share against the lungs' area (does the map favour
 * the lungs beyond their size?), and per architecture the study's claim, ChestX-ray14 start
 * minus ImageNet start. A comparison is not testable when a classifier it rests on did not
 * learn, or (the claim) when the ChestX-ray14 start failed its gate.
 */
export function camFamily(
  models: readonly CamArm[],
  shares: readonly number[][],
  area: readonly number[],
  groups: readonly string[],
  resamples: number,
): Verdict[] {
  const opts = { groups, resamples };
  const notLearned = (m: CamArm) =>
    m.learned ? undefined : `${m.name} did not learn in chapter 3 (${m.learnedReason})`;
  const beyondArea = models.map((m, k) => ({
    a: { arm: m.name, notTestable: notLearned(m) },
    b: { arm: "the lungs' area" },
    ...pairedMeanDifference(shares[k], area, opts),
  }));
  const claims = models.flatMap((m, k) => {
    const j = models.findIndex((o) => o.arch === m.arch && o.start === "imagenet");
    if (m.start !== "nih" || j < 0) return [];
    return [{
      a: { arm: m.name, notTestable: m.notTestable ?? notLearned(m) },
      b: { arm: models[j].name, notTestable: notLearned(models[j]) },
      ...pairedMeanDifference(shares[k], shares[j], opts),
    }];
  });
  return decideFamily([...beyondArea, ...claims]);
}

/** Gallery rows of a 14-finding model: up to four test images per finding, its map each. */
export async function findingCamRows(
  model: tf.LayersModel,
  records: readonly NihRecord[],
  findings: readonly NihFinding[],
  side: number,
): Promise<{ title: string; tiles: CamTile[] }[]> {
  const rows = [];
  for (const finding of findings) {
    const picks = records.filter((r) => r.findings.includes(finding)).slice(0, 4);
    if (!picks.length) continue;
    const images = await Promise.all(picks.map((r) => decodeGrey(r.path, side)));
    const output = NIH_FINDINGS.indexOf(finding);
    const { heat, scores } = await camsOf(model, "densenet121", images, { output });
    const tiles = images.map((image, i) => ({
      image,
      heat: heat[i],
      score: scores[i],
      label: picks[i].findingText,
    }));
    rows.push({ title: finding, tiles });
  }
  return rows;
}
