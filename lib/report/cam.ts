/**
 * Chapter 4's conclusions, from its results.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { decodeGrey, type GreyImage } from "../data/images.ts";
import type { ModelName } from "../data/normalise.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { NIH_FINDINGS, type NihFinding, patientKey } from "../data/record.ts";
import { bootstrapMean, pairedMeanDifference } from "../eval/bootstrap.ts";
import { decideFamily, type Verdict } from "../experiments/verdict.ts";
import { camsOf } from "../explain/apply.ts";
import { type LungMask, lungMask } from "../explain/lungs.ts";
import type { CamTile } from "../explain/overlay.ts";
import type { ModelCard } from "../models/card.ts";
import { fmtCi } from "./format.ts";
import type { ChapterSummary } from "./summary.ts";

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

/** Chapter 4's summary. */
export function summariseCam(r: CamResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  found.push(
    `The lungs cover ${fmtCi(r.lungArea.mean, r.lungArea.lo, r.lungArea.hi)} of the ` +
      `image on the ${r.images} held-out test images with a lung annotation: what a map spread ` +
      "evenly would put on them.",
  );
  const armText = (a: LungShareRow) =>
    `${a.arm}: ${fmtCi(a.mean, a.lo, a.hi)}` +
    (a.images < r.images ? ` (on the ${a.images} images whose map has any positive mass)` : "") +
    (a.notLearned ? " (did not learn)" : "");
  found.push(`CAM mass on the lungs — ${r.arms.map(armText).join("; ")}.`);
  for (const a of r.arms.filter((a) => a.notLearned)) {
    cannotSay.push(`What the maps of ${a.arm} show: ${a.notLearned}, so they explain nothing.`);
  }
  for (const v of r.comparisons) {
    if (!v.testable) cannotSay.push(`${v.comparison}: ${v.verdict}.`);
    else if (v.pAdjusted! <= 0.05) found.push(`${v.comparison}: ${v.verdict}.`);
    else cannotSay.push(`${v.comparison}: ${v.verdict}.`);
  }
  cannotSay.push(
    `Fine detail: at ${r.side} px the maps have ${r.cells}×${r.cells} cells, so ` +
      "a map can only say which part of the chest, not which structure, carries the evidence.",
  );
  return { found, cannotSay };
}

/** A chapter-3 classifier as the CAM chapter uses it. */
export interface CamModel {
  readonly arch: ModelName;
  /** "nih", "imagenet" or "scratch". */
  readonly start: string;
  readonly name: string;
  readonly model: tf.LayersModel;
  /** Why comparisons of its start are not testable (the start failed the gate). */
  readonly notTestable?: string;
  /** Why no comparison of its maps is testable (see {@link classifierNotLearned}). */
  readonly notLearned?: string;
}

/**
 * Why a classifier's maps explain nothing learned, from its model card: the 95% interval of its
 * test AUC reaches 0.5, so it did not measurably learn (or the card records no test AUC).
 * A map of such a model is a picture of its initial weights, not of evidence.
 */
export function classifierNotLearned(card: ModelCard): string | undefined {
  const test = card.notes?.test as { auc?: number; ci?: readonly number[] } | undefined;
  if (test?.auc === undefined || test.ci?.length !== 2) {
    return `its model card (${card.name}) records no test AUC`;
  }
  if (test.ci[0] > 0.5) return undefined;
  return `its classifier did not measurably learn (test AUC ${
    fmtCi(test.auc, test.ci[0], test.ci[1])
  } reaches 0.5)`;
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

/** Each model's mean lung share with its patient-bootstrap interval. */
export function lungShareRows(
  models: readonly CamModel[],
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
    return m.notLearned ? { ...row, notLearned: m.notLearned } : row;
  });
}

/**
 * One Holm family: for every model, its lung share against the lungs' area (does the map favour
 * the lungs beyond their size?), and per architecture the study's claim, ChestX-ray14 start
 * minus ImageNet start. A comparison is not testable when a classifier it rests on did not
 * learn, or (the claim) when the ChestX-ray14 start failed its gate.
 */
export function camFamily(
  models: readonly CamModel[],
  shares: readonly number[][],
  area: readonly number[],
  groups: readonly string[],
  resamples: number,
): Verdict[] {
  const opts = { groups, resamples };
  const beyondArea = models.map((m, k) => ({
    a: { arm: m.name, notTestable: m.notLearned },
    b: { arm: "the lungs' area" },
    ...pairedMeanDifference(shares[k], area, opts),
  }));
  const claims = models.flatMap((m, k) => {
    const j = models.findIndex((o) => o.arch === m.arch && o.start === "imagenet");
    if (m.start !== "nih" || j < 0) return [];
    return [{
      a: { arm: m.name, notTestable: m.notTestable ?? m.notLearned },
      b: { arm: models[j].name, notTestable: models[j].notLearned },
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
