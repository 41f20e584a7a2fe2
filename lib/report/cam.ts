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
import { fmtCi } from "./format.ts";
import type { ChapterSummary } from "./summary.ts";

/** What chapter 4 saves. */
export interface CamResults extends Record<string, unknown> {
  readonly side: number;
  readonly cells: number;
  readonly images: number;
  readonly lungArea: { mean: number; lo: number; hi: number };
  readonly arms: readonly { arm: string; mean: number; lo: number; hi: number; images: number }[];
  readonly comparisons: readonly Verdict[];
}

/** Chapter 4's summary. */
export function summariseCam(r: CamResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  found.push(
    `The lungs cover ${fmtCi(r.lungArea.mean, r.lungArea.lo, r.lungArea.hi)} of the ` +
      `image on the ${r.images} held-out test images with a lung annotation: what a map spread ` +
      "evenly would put on them.",
  );
  found.push(
    `CAM mass on the lungs — ${
      r.arms.map((a) => `${a.arm}: ${fmtCi(a.mean, a.lo, a.hi)}`).join("; ")
    }.`,
  );
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
  /** Why comparisons resting on it are not testable (its start failed the gate). */
  readonly notTestable?: string;
}

/** Gallery rows: one per model, a tile per image with its map, score and label. */
export function camRows(
  models: readonly CamModel[],
  images: readonly GreyImage[],
  records: readonly CovidRecord[],
  outlines?: readonly Uint8Array[],
): { title: string; tiles: CamTile[] }[] {
  return models.map((m) => {
    const { heat, scores } = camsOf(m.model, m.arch, images);
    const tiles = records.map((r, i) => ({
      image: images[i],
      heat: heat[i],
      score: scores[i],
      label: r.covid ? "COVID-19" : r.findingText,
      outline: outlines?.[i],
    }));
    return { title: m.name, tiles };
  });
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
): { arm: string; mean: number; lo: number; hi: number; images: number }[] {
  return models.map((m, k) => {
    const ok = shares[k].map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v));
    const b = bootstrapMean(ok.map(([v]) => v), {
      groups: ok.map(([, i]) => groups[i]),
      resamples,
    });
    return { arm: m.name, mean: b.mean, lo: b.lo, hi: b.hi, images: ok.length };
  });
}

/**
 * One Holm family: for every model, its lung share against the lungs' area (does the map favour
 * the lungs beyond their size?), and per architecture the study's claim, ChestX-ray14 start
 * minus ImageNet start.
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
    a: { arm: m.name },
    b: { arm: "the lungs' area" },
    ...pairedMeanDifference(shares[k], area, opts),
  }));
  const claims = models.flatMap((m, k) => {
    const j = models.findIndex((o) => o.arch === m.arch && o.start === "imagenet");
    if (m.start !== "nih" || j < 0) return [];
    return [{
      a: { arm: m.name, notTestable: m.notTestable },
      b: { arm: models[j].name },
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
    const { heat, scores } = camsOf(model, "densenet121", images, { output });
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
