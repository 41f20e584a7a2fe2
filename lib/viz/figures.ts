/**
 * The report's headline figures, one function each, so a chapter cell draws one with one call:
 * per-finding AUC beside the study and CheXNet, a forest plot of arms over splits, training
 * curves, distributions per arm. Every figure has a caption saying what to look at.
 * @module
 */
import { Plot, showPlot } from "./plot.ts";

/**
 * Sixteen colours that stay apart for a reader (Kelly's list, minus white, black and the
 * near-greys), mid-luminance so they read on light and dark backgrounds alike.
 */
export const DISTINCT_COLOURS = [
  "#e6194b",
  "#3cb44b",
  "#4363d8",
  "#f58231",
  "#911eb4",
  "#42d4f4",
  "#f032e6",
  "#bfef45",
  "#fabed4",
  "#469990",
  "#dcbeff",
  "#9a6324",
  "#fffac8",
  "#800000",
  "#aaffc3",
  "#808000",
  "#ffd8b1",
  "#000075",
] as const;

/** One arm's per-class AUCs (rows of a per-class table). */
export interface ClassAucs {
  readonly arm: string;
  readonly rows: readonly { label: string; auc?: number; lo?: number; hi?: number }[];
}

/**
 * Per-finding AUC with 95% CIs for our arms, beside reference values (study, CheXNet): one
 * row of panels per finding, one line per arm or reference inside it.
 */
export async function showFindingAucs(
  arms: readonly ClassAucs[],
  references: Readonly<Record<string, Readonly<Record<string, number>>>>,
  caption: string,
): Promise<void> {
  const labels = [...new Set(arms.flatMap((a) => a.rows.map((r) => r.label)))];
  const ours = arms.flatMap(({ arm, rows }) =>
    rows.filter((r) => r.auc !== undefined).map((r) => ({ ...r, who: arm }))
  );
  const refs = Object.entries(references).flatMap(([who, values]) =>
    labels.filter((l) => values[l] !== undefined).map((label) => ({
      label,
      auc: values[label],
      who,
    }))
  );
  const who = [...arms.map((a) => a.arm), ...Object.keys(references)];
  await showPlot({
    caption,
    width: 720,
    height: 30 + labels.length * (who.length * 9 + 8),
    marginLeft: 130,
    x: { domain: [0.2, 1], label: "test AUC (95% CI)", grid: true },
    y: { domain: who, axis: null },
    fy: { domain: labels, label: null },
    color: { legend: true, domain: who, range: [...DISTINCT_COLOURS] },
    marks: [
      Plot.ruleX([0.5], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3 3" }),
      Plot.ruleY(ours, { fy: "label", y: "who", x1: "lo", x2: "hi", stroke: "who" }),
      Plot.dot([...ours, ...refs], {
        fy: "label",
        y: "who",
        x: "auc",
        fill: "who",
        r: 3,
        tip: true,
        title: (d: { who: string; label: string; auc: number }) =>
          `${d.who}, ${d.label}: ${d.auc.toFixed(3)}`,
      }),
    ],
  }, "per-finding AUC");
}

/** An arm as the forest plot needs it: its per-fold (or per-split) AUCs and the interval. */
export interface ForestArm {
  readonly arm: string;
  /** One AUC per fold: the grey dots. */
  readonly points: readonly number[];
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  /** The study's value for this arm, if any. */
  readonly study?: number;
}

/**
 * Each arm's test AUC per fold (grey dots), its mean with the 95% interval (blue bar), and the
 * study's value where it has one (red ring); the dashed line is chance (0.5).
 */
export async function showForest(
  arms: readonly ForestArm[],
  caption: string,
  options: { point?: string; interval?: string } = {},
): Promise<void> {
  const point = options.point ?? "fold", interval = options.interval ?? "mean (95% CI)";
  const dots = arms.flatMap((a) => a.points.map((auc) => ({ arm: a.arm, auc })));
  const study = arms.filter((a) => a.study !== undefined);
  const low = Math.min(0.3, ...dots.map((d) => d.auc), ...arms.map((a) => a.lo));
  await showPlot({
    caption,
    width: 720,
    height: 50 + 34 * arms.length,
    marginLeft: 300,
    x: { domain: [Math.max(0, Math.floor(low * 10) / 10), 1], label: "test AUC", grid: true },
    y: { domain: arms.map((a) => a.arm), label: null },
    symbol: { legend: true, domain: [point, interval, ...(study.length ? ["study"] : [])] },
    marks: [
      Plot.ruleX([0.5], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3 3" }),
      Plot.ruleY(arms, { y: "arm", x1: "lo", x2: "hi", stroke: "#4363d8", strokeWidth: 3 }),
      Plot.dot(dots, { y: "arm", x: "auc", symbol: () => point, stroke: "#808080", r: 3 }),
      Plot.dot(arms, { y: "arm", x: "mean", symbol: () => interval, fill: "#4363d8", r: 5 }),
      Plot.dot(study, { y: "arm", x: "study", symbol: () => "study", stroke: "#e6194b", r: 6 }),
    ],
  }, "forest plot");
}

/** Per-epoch curves of trained runs. */
export interface Curve {
  readonly run: string;
  readonly history: readonly {
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valAuc: number;
  }[];
  readonly bestEpoch?: number;
}

/**
 * Two panels: validation AUC per epoch (the kept epoch ringed), then training (dashed) and
 * validation (solid) loss per epoch; one colour per run.
 */
export async function showTrainingCurves(runs: readonly Curve[], caption: string): Promise<void> {
  const rows = runs.flatMap((r) =>
    r.history.map((h) => ({ ...h, run: r.run, epoch: h.epoch + 1, epochs: r.history.length }))
  );
  const kept = runs.filter((r) => r.bestEpoch !== undefined && r.bestEpoch >= 0).map((r) => ({
    run: r.run,
    epoch: r.bestEpoch! + 1,
    valAuc: r.history[r.bestEpoch!]?.valAuc,
  }));
  const common = {
    width: 720,
    height: 260,
    x: { label: "epoch", tickFormat: "d", ticks: Math.max(...rows.map((r) => r.epochs), 1) },
    color: { legend: true, domain: runs.map((r) => r.run), range: [...DISTINCT_COLOURS] },
  };
  await showPlot({
    ...common,
    y: { label: "validation AUC", grid: true },
    marks: [
      Plot.ruleY([0.5], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3 3" }),
      Plot.line(rows, { x: "epoch", y: "valAuc", stroke: "run", z: "run", marker: "circle" }),
      Plot.dot(kept, { x: "epoch", y: "valAuc", stroke: "run", r: 8 }),
    ],
  }, "validation AUC per epoch");
  await showPlot({
    ...common,
    caption,
    y: { label: "loss (summed BCE)", grid: true },
    marks: [
      Plot.line(rows, { x: "epoch", y: "valLoss", stroke: "run", z: "run", marker: "circle" }),
      Plot.line(rows, {
        x: "epoch",
        y: "trainLoss",
        stroke: "run",
        z: "run",
        strokeDasharray: "4 3",
      }),
    ],
  }, "loss per epoch");
}

/** One value per image and arm (e.g. CAM mass on the lungs): a dot strip and the mean. */
export async function showDistributions(
  rows: readonly { arm: string; value: number }[],
  options: { caption: string; label: string; reference?: number; referenceLabel?: string },
): Promise<void> {
  const arms = [...new Set(rows.map((r) => r.arm))];
  const means = arms.map((arm) => {
    const v = rows.filter((r) => r.arm === arm).map((r) => r.value);
    return { arm, value: v.reduce((a, b) => a + b, 0) / v.length };
  });
  const reference = options.reference === undefined ? [] : [{ value: options.reference }];
  await showPlot({
    caption: options.caption,
    width: 720,
    height: 40 + 70 * arms.length,
    marginLeft: 260,
    x: { label: options.label, grid: true, domain: [0, 1] },
    fy: { domain: arms, label: null },
    marks: [
      Plot.ruleX(reference, { x: "value", stroke: "#e6194b", strokeDasharray: "4 3" }),
      Plot.dot(rows, Plot.dodgeY("middle", { fy: "arm", x: "value", r: 1.5, fill: "#808080" })),
      Plot.tickX(means, { fy: "arm", x: "value", stroke: "#4363d8", strokeWidth: 3 }),
    ],
  }, "distribution per arm");
}

/** The U-matrix and the hit map of a self-organising map, side by side in reading order. */
export async function showSomMaps(
  som: {
    rows: number;
    cols: number;
    uMatrix(): Promise<number[][]>;
    hitMap(w: readonly number[], l: readonly string[]): {
      row: number;
      col: number;
      hits: number;
      label: string;
      detail: string;
    }[];
  },
  winners: readonly number[],
  labels: readonly string[],
  options: { space: string; classes: readonly string[] },
): Promise<void> {
  const u = (await som.uMatrix()).flatMap((row, r) => row.map((v, c) => ({ r, c, v })));
  await showPlot({
    caption: `${options.space}: U-matrix — each unit's mean distance to its neighbours; light ` +
      "ridges are borders between regions.",
    width: 320,
    height: 320,
    x: { axis: null },
    y: { axis: null, reverse: true },
    color: { scheme: "greys", reverse: true },
    marks: [Plot.cell(u, { x: "c", y: "r", fill: "v" })],
  }, `${options.space} U-matrix`);
  await showPlot({
    caption: `${options.space}: hit map — a bubble per unit, sized by the images it wins and ` +
      "coloured by their most common class (hover for the counts).",
    width: 560,
    height: 420,
    x: { axis: null, domain: [-1, som.cols] },
    y: { axis: null, domain: [-1, som.rows], reverse: true },
    r: { range: [2, 14] },
    color: { legend: true, domain: options.classes, range: [...DISTINCT_COLOURS] },
    marks: [
      Plot.dot(som.hitMap(winners, labels), {
        x: "col",
        y: "row",
        r: "hits",
        fill: "label",
        title: (d: { hits: number; detail: string }) => `${d.hits} images — ${d.detail}`,
      }),
    ],
  }, `${options.space} hit map`);
}

/** A 2-D embedding coloured by class (a distinct colour each), shaped by source. */
export async function showEmbedding(
  points: readonly (readonly number[])[],
  items: readonly { label: string; source: string; patient: string }[],
  options: { title: string; caption: string; classes: readonly string[] },
): Promise<void> {
  await showPlot({
    title: options.title,
    caption: options.caption,
    width: 640,
    height: 480,
    x: { axis: null },
    y: { axis: null },
    color: { legend: true, domain: options.classes, range: [...DISTINCT_COLOURS] },
    symbol: { legend: true },
    marks: [
      Plot.dot(points.map(([x, y], i) => ({ x, y, ...items[i] })), {
        x: "x",
        y: "y",
        stroke: "label",
        symbol: "source",
        r: 3,
        title: (d: { label: string; patient: string; source: string }) =>
          `${d.label} · patient ${d.patient} · ${d.source}`,
      }),
    ],
  }, options.title);
}

/** Horizontal bars of counts, longest first, optionally coloured by a group. */
export function showBars(
  rows: readonly { name: string; count: number; group?: string }[],
  options: { caption: string; label?: string; groups?: readonly string[] },
): Promise<void> {
  return showPlot({
    caption: options.caption,
    marginLeft: Math.min(260, 8 + 6.5 * Math.max(...rows.map((r) => r.name.length), 4)),
    height: 40 + 22 * rows.length,
    x: { label: options.label ?? "images", grid: true },
    y: { label: null },
    color: {
      legend: Boolean(options.groups),
      domain: options.groups,
      range: [...DISTINCT_COLOURS],
    },
    marks: [
      Plot.barX(rows, {
        x: "count",
        y: "name",
        fill: options.groups ? "group" : "#808080",
        sort: { y: "-x" },
      }),
    ],
  }, options.caption);
}
