/**
 * Chapter 5's conclusions, from its results.
 * @module
 */
import { decodeGrey } from "../data/images.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { NIH_FINDINGS, patientKey, type XrayRecord } from "../data/record.ts";
import { pairedMeanDifference } from "../eval/bootstrap.ts";
import type { NihBackbone } from "../experiments/backbones.ts";
import { frozenBackbone } from "../experiments/heads.ts";
import { limitByPatient } from "../data/record.ts";
import { decideFamily, type Verdict } from "../experiments/verdict.ts";
import { type Embedding, tsne, umap } from "../projection/embed.ts";
import { knnAccuracy, knnCorrect, standardise, trustworthiness } from "../projection/quality.ts";
import { type ChapterSummary, sortVerdicts } from "../report/summary.ts";

/** What chapter 5 saves. */
export interface MapsResults extends Record<string, unknown> {
  readonly images: number;
  readonly classes: readonly { label: string; images: number }[];
  /** The most common class's share: what a k-NN vote that always says it would score. */
  readonly chance: number;
  readonly quality: readonly {
    space: string;
    view: string;
    trustworthiness?: number;
    classAccuracy: number;
    /** Class accuracy among the ChestX-ray14 images alone: one source, so no source cue. */
    nihClassAccuracy: number;
    sourceAccuracy: number;
  }[];
  /** The most common ChestX-ray14 class's share among the ChestX-ray14 images. */
  readonly nihChance: number;
  readonly comparisons: readonly Verdict[];
  readonly backbone: string;
}

/** Chapter 5's summary. */
export function summariseMaps(r: MapsResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  const original = (space: string) =>
    r.quality.find((q) => q.space === space && q.view === "original space");
  const px = original("pixels"), ft = original("CNN features");
  if (px && ft) {
    found.push(
      `On ${r.images} images, a point's 5 nearest neighbours (its own patient's other films left ` +
        `out) name its class ${pct(px.classAccuracy)} of the time on pixels and ` +
        `${pct(ft.classAccuracy)} on the features of ${r.backbone}; always naming the most ` +
        `common class would score ${pct(r.chance)}.`,
    );
    found.push(
      `Class here is mostly source: every COVID-19 image comes from the COVID-19 collection and ` +
        `every other class from ChestX-ray14, and the neighbours name the source ` +
        `${pct(px.sourceAccuracy)} (pixels) and ${pct(ft.sourceAccuracy)} (features) of the ` +
        `time. Among the ChestX-ray14 images alone — one source — they name the finding ` +
        `${pct(px.nihClassAccuracy)} and ${pct(ft.nihClassAccuracy)} of the time (most common ` +
        `finding alone: ${pct(r.nihChance)}).`,
    );
  }
  const maps = r.quality.filter((q) => q.trustworthiness !== undefined);
  if (maps.length) {
    found.push(
      `Map trustworthiness (k = 10): ${
        maps.map((q) => `${q.view} of ${q.space} ${q.trustworthiness!.toFixed(2)}`).join(", ")
      }.`,
    );
  }
  sortVerdicts(r.comparisons, { found, cannotSay }, {
    shown: (v) => `${v.verdict}.`,
    notShown: (v) => `Whether ${v.a} and ${v.b} differ: ${v.verdict}.`,
  });
  const small = r.classes.filter((c) => c.images < 10).map((c) => c.label);
  if (small.length) {
    cannotSay.push(`Where ${small.join(", ")} sit on the maps: fewer than 10 images each.`);
  }
  cannotSay.push(
    "Which findings COVID-19 lies near (the study's reading of its maps): " +
      "nearness on a t-SNE or SOM map is not a measured quantity, and the two sources differ in " +
      "ways unrelated to disease (chapter 6).",
  );
  return { found, cannotSay };
}

function pct(x: number): string {
  return `${Math.round(100 * x)}%`;
}

/** An image on the maps: its record, its one class, its source. */
export interface MapItem {
  readonly record: XrayRecord;
  readonly label: string;
  readonly source: "ChestX-ray14" | "COVID-19 collection";
}

/**
 * Single-label images: ChestX-ray14 images with exactly one finding or none, COVID-19 images
 * of the collection; up to `budget` per class, whole patients, seeded.
 */
export function mapItems(
  nih: readonly NihRecord[],
  covid: readonly CovidRecord[],
  budget: number,
): MapItem[] {
  const items: MapItem[] = [];
  for (const label of [...NIH_FINDINGS, "No Finding"]) {
    const pool = nih.filter((r) =>
      label === "No Finding" ? r.findings.length === 0 : r.findings.join() === label
    );
    for (const record of limitByPatient(pool, budget, 3)) {
      items.push({ record, label, source: "ChestX-ray14" });
    }
  }
  const positives = covid.filter((r) => r.covid);
  for (const record of limitByPatient(positives, budget, 3)) {
    items.push({ record, label: "COVID-19", source: "COVID-19 collection" });
  }
  return items;
}

/** A space the maps are drawn in: one standardised row per item. */
export interface MapSpace {
  readonly space: "pixels" | "CNN features";
  readonly rows: Float32Array[];
}

/**
 * Pixels (32×32 grey in [0, 1]) and a backbone's pooled features, both standardised; the
 * backbone runs at the side its card names.
 */
export async function mapSpaces(
  items: readonly MapItem[],
  backbone: NihBackbone,
): Promise<MapSpace[]> {
  const pixels: Float32Array[] = [];
  for (const { record } of items) {
    pixels.push(Float32Array.from((await decodeGrey(record.path, 32)).data, (v) => v / 255));
  }
  const frozen = await frozenBackbone({
    name: "ChestX-ray14 DenseNet121",
    arch: backbone.arch,
    init: { from: backbone.dir },
    records: items.map((i) => i.record),
    outputs: 14,
    side: backbone.card.side,
  });
  const features = items.map((i) => frozen.features.byPath.get(i.record.path)!);
  frozen.model.dispose();
  return [
    { space: "pixels", rows: standardise(pixels) },
    { space: "CNN features", rows: standardise(features) },
  ];
}

/** t-SNE and UMAP of each space (perplexity and neighbours capped for small sets). */
export function embedSpaces(spaces: readonly MapSpace[]): { space: string; e: Embedding }[] {
  const n = spaces[0]?.rows.length ?? 0;
  const perplexity = Math.min(30, Math.floor((n - 1) / 3));
  return spaces.flatMap(({ space, rows }) => [
    { space, e: tsne(rows, { perplexity, iterations: 1000, seed: 1 }) },
    { space, e: umap(rows, { neighbours: Math.min(15, n - 1), seed: 1 }) },
  ]);
}

/** Trustworthiness of each map and k-NN accuracy (class, source) in every space and map. */
export function mapQuality(
  spaces: readonly MapSpace[],
  embeddings: readonly { space: string; e: Embedding }[],
  items: readonly MapItem[],
): MapsResults["quality"] {
  const labels = items.map((i) => i.label), source = items.map((i) => i.source);
  const groups = items.map((i) => patientKey(i.record));
  const nih = items.map((it, i) => (it.source === "ChestX-ray14" ? i : -1)).filter((i) => i >= 0);
  const k = Math.min(10, Math.floor(items.length / 2) - 1);
  return spaces.flatMap(({ space, rows }) => [
    { space, view: "original space", points: rows as ArrayLike<number>[], trust: undefined },
    ...embeddings.filter((x) => x.space === space).map(({ e }) => ({
      space,
      view: e.method,
      points: e.points as ArrayLike<number>[],
      trust: trustworthiness(rows, e.points, k) as number | undefined,
    })),
  ]).map(({ space, view, points, trust }) => ({
    space,
    view,
    trustworthiness: trust,
    classAccuracy: knnAccuracy(points, labels, 5, groups),
    nihClassAccuracy: knnAccuracy(
      nih.map((i) => points[i]),
      nih.map((i) => labels[i]),
      5,
      nih.map((i) => groups[i]),
    ),
    sourceAccuracy: knnAccuracy(points, source, 5, groups),
  }));
}

/** Features against pixels: per-image 5-NN correctness, paired over patients; one Holm family. */
export function compareSpaces(
  spaces: readonly MapSpace[],
  items: readonly MapItem[],
  resamples: number,
): Verdict[] {
  const groups = items.map((i) => patientKey(i.record));
  const [pixels, features] = spaces;
  const targets = [
    ["class", items.map((i) => i.label)],
    ["source", items.map((i) => i.source)],
  ] as const;
  return decideFamily(targets.map(([name, target]) => ({
    a: { arm: `CNN features (${name})` },
    b: { arm: `pixels (${name})` },
    ...pairedMeanDifference(
      knnCorrect(features.rows, target, 5, groups).map(Number),
      knnCorrect(pixels.rows, target, 5, groups).map(Number),
      { groups, resamples },
    ),
  })));
}
