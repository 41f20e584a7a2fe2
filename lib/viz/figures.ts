/**
 * The report's headline figures, one function each, so a chapter cell draws one with one call:
 * per-finding AUC beside the study and CheXNet, a forest plot of arms over splits, training
 * curves, distributions per arm. Every figure has a caption saying what to look at.
 * @module
 */
import { NARROW_WIDTH, Plot, showPlot } from "./plot.ts";

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

/** A figure's two layouts: as designed, and for a phone's width. */
export interface FigureLayouts {
  readonly wide: Plot.PlotOptions;
  readonly narrow: Plot.PlotOptions;
}

/** One arm's per-class AUCs (rows of a per-class table). */
export interface ClassAucs {
  readonly arm: string;
  readonly rows: readonly { label: string; auc?: number; lo?: number; hi?: number }[];
}

/**
 * Per-finding AUC with 95% CIs for our arms, beside reference values (study, CheXNet): one
 * row of panels per finding, one line per arm or reference inside it.
 */
export function showFindingAucs(
  arms: readonly ClassAucs[],
  references: Readonly<Record<string, Readonly<Record<string, number>>>>,
  caption: string,
): Promise<void> {
  const { wide, narrow } = findingAucPlots(arms, references, caption);
  return showPlot(wide, "per-finding AUC", narrow);
}

/** The layouts of {@link showFindingAucs}. */
function findingAucPlots(
  arms: readonly ClassAucs[],
  references: Readonly<Record<string, Readonly<Record<string, number>>>>,
  caption: string,
): FigureLayouts {
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
  const marks = [
    Plot.ruleX([0.5], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3 3" }),
    Plot.ruleY(ours, { fy: "label", y: "who", x1: "lo", x2: "hi", stroke: "who" }),
    Plot.dot([...ours, ...refs], {
      fy: "label",
      y: "who",
      x: "auc",
      fill: "who",
      r: 3,
      title: (d: { who: string; label: string; auc: number }) =>
        `${d.who}, ${d.label}: ${d.auc.toFixed(3)}`,
    }),
  ];
  const common = {
    caption: `${caption} Dashed line: chance (AUC 0.5).`,
    height: 30 + labels.length * (who.length * 9 + 8),
    x: { domain: [0.2, 1], label: "test AUC (95% CI)", grid: true },
    y: { domain: who, axis: null },
    color: { legend: true, domain: who, range: [...DISTINCT_COLOURS] },
    marks,
  };
  return {
    wide: { ...common, width: 720, marginLeft: 130, fy: { domain: labels, label: null } },
    // on a phone: finding names wrapped at their underscores, three ticks
    narrow: {
      ...common,
      width: NARROW_WIDTH,
      marginLeft: 92,
      x: { ...common.x, ticks: 3 },
      fy: { domain: labels, label: null },
      marks: [
        ...marks,
        Plot.axisFy({
          anchor: "left",
          label: null,
          lineWidth: 7,
          tickFormat: (d: string) => d.replaceAll("_", " "),
        }),
      ],
    },
  };
}

/** An arm as the forest plot needs it: its per-fold (or per-split) AUCs and the interval. */
export interface ForestArm {
  readonly arm: string;
  /** One AUC per fold (or split): the grey dots. */
  readonly points: readonly number[];
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  /** The study's value for this arm's start, if any. */
  readonly study?: number;
}

/**
 * Each arm's test AUC per run (dots), its mean with the interval over runs (bar), and the
 * study's value where given; `run` names a run in the legend ("split", "fold"). On a phone
 * each arm's name stands above its row.
 */
export function showForest(
  arms: readonly ForestArm[],
  caption: string,
  options: { run?: string } = {},
): Promise<void> {
  const { wide, narrow } = forestPlots(arms, caption, options);
  return showPlot(wide, "forest plot", narrow);
}

/** The layouts of {@link showForest}. */
export function forestPlots(
  arms: readonly ForestArm[],
  caption: string,
  options: { run?: string } = {},
): FigureLayouts {
  const run = options.run ?? "split";
  const dots = arms.flatMap((a) => a.points.map((auc) => ({ arm: a.arm, auc })));
  const study = arms.filter((a) => a.study !== undefined);
  const meanLabel = `mean (95% CI over ${run}s)`;
  // the legend lists only what is drawn
  const symbols = [run, meanLabel, ...(study.length ? ["study"] : [])];
  const marks = [
    Plot.ruleX([0.5], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3 3" }),
    // an interval reaching below the axis stops at its edge, clear of the arms' names
    Plot.ruleY(arms, {
      y: "arm",
      x1: "lo",
      x2: "hi",
      stroke: "#4363d8",
      strokeWidth: 3,
      clip: true,
    }),
    Plot.dot(dots, { y: "arm", x: "auc", symbol: () => run, stroke: "#808080", r: 3 }),
    Plot.dot(arms, { y: "arm", x: "mean", symbol: () => meanLabel, fill: "#4363d8", r: 5 }),
    ...(study.length
      ? [Plot.dot(study, { y: "arm", x: "study", symbol: () => "study", stroke: "#e6194b", r: 6 })]
      : []),
  ];
  const common = {
    caption: `${caption} Dashed line: chance (AUC 0.5).`,
    x: { domain: [0.3, 1], label: "test AUC", grid: true },
    // filled and stroked marks alike need symbols with an area ("plus" has none when filled)
    symbol: { legend: true, domain: symbols, range: ["circle", "square", "times"] },
  };
  return {
    wide: {
      ...common,
      width: 720,
      height: 50 + 40 * arms.length,
      marginLeft: 300,
      y: { domain: arms.map((a) => a.arm), label: null },
      // long arm names wrap onto a second line rather than run off the figure
      marks: [...marks, Plot.axisY({ label: null, lineWidth: 23 })],
    },
    narrow: {
      ...common,
      width: NARROW_WIDTH,
      height: 60 + 62 * arms.length,
      marginLeft: 10,
      marginRight: 14,
      marginTop: 40,
      x: { ...common.x, ticks: 4 },
      y: { domain: arms.map((a) => a.arm), axis: null },
      marks: [
        ...marks,
        Plot.text(arms, {
          y: "arm",
          x: 0.3,
          text: "arm",
          textAnchor: "start",
          lineAnchor: "bottom",
          lineWidth: 27,
          dy: -13,
        }),
      ],
    },
  };
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
 * validation (solid) loss per epoch; one colour per run. Epochs are ticked as whole numbers.
 */
export async function showTrainingCurves(runs: readonly Curve[], caption: string): Promise<void> {
  const [auc, loss] = trainingCurvePlots(runs, caption);
  await showPlot(auc.wide, "validation AUC per epoch", auc.narrow);
  await showPlot(loss.wide, "loss per epoch", loss.narrow);
}

/** The layouts of {@link showTrainingCurves}'s two panels. */
export function trainingCurvePlots(
  runs: readonly Curve[],
  caption: string,
): [FigureLayouts, FigureLayouts] {
  const rows = runs.flatMap((r) =>
    r.history.map((h) => ({ ...h, run: r.run, epoch: h.epoch + 1, epochs: r.history.length }))
  );
  const kept = runs.filter((r) => r.bestEpoch !== undefined && r.bestEpoch >= 0).map((r) => ({
    run: r.run,
    epoch: r.bestEpoch! + 1,
    valAuc: r.history[r.bestEpoch!]?.valAuc,
  }));
  const epochs = Math.max(...rows.map((r) => r.epochs), 1);
  const common = {
    width: 720,
    height: 260,
    x: {
      label: "epoch",
      // one epoch sits in the middle of the panel, not on its edge
      domain: epochs > 1 ? [1, epochs] : [0.5, 1.5],
      ticks: epochTicks(epochs, 12),
      tickFormat: "d",
    },
    color: { legend: true, domain: runs.map((r) => r.run), range: [...DISTINCT_COLOURS] },
  };
  const narrow = { width: NARROW_WIDTH, x: { ...common.x, ticks: epochTicks(epochs, 5) } };
  const auc = {
    ...common,
    caption: "Validation AUC per epoch, one colour per run; ringed: the epoch kept; dashed grey " +
      "line: chance (AUC 0.5).",
    y: { label: "validation AUC", grid: true },
    marks: [
      Plot.ruleY([0.5], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3 3" }),
      Plot.line(rows, { x: "epoch", y: "valAuc", stroke: "run", z: "run", marker: "circle" }),
      Plot.dot(kept, { x: "epoch", y: "valAuc", stroke: "run", r: 8 }),
    ],
  };
  const loss = {
    ...common,
    caption: `${caption} Solid lines with dots: validation loss; dashed lines with rings: ` +
      "training loss.",
    y: { label: "loss (summed BCE)", grid: true },
    marks: [
      Plot.line(rows, { x: "epoch", y: "valLoss", stroke: "run", z: "run", marker: "circle" }),
      Plot.line(rows, {
        x: "epoch",
        y: "trainLoss",
        stroke: "run",
        z: "run",
        strokeDasharray: "4 3",
        // a ring per epoch, so that one epoch's training loss shows too
        marker: "circle-stroke",
      }),
    ],
  };
  return [{ wide: auc, narrow: { ...auc, ...narrow } }, {
    wide: loss,
    narrow: { ...loss, ...narrow },
  }];
}

/** Whole-number ticks 1…epochs, at most `most` of them (every k-th epoch). */
export function epochTicks(epochs: number, most: number): number[] {
  const step = Math.max(1, Math.ceil(epochs / most));
  return Array.from({ length: epochs }, (_, i) => i + 1).filter((e) => (e - 1) % step === 0);
}

/** One value per image and arm (e.g. CAM mass on the lungs): a dot strip and the mean. */
export function showDistributions(
  rows: readonly { arm: string; value: number }[],
  options: { caption: string; label: string; reference?: number; referenceLabel?: string },
): Promise<void> {
  const { wide, narrow } = distributionPlots(rows, options);
  return showPlot(wide, "distribution per arm", narrow);
}

/** The layouts of {@link showDistributions}. */
function distributionPlots(
  rows: readonly { arm: string; value: number }[],
  options: { caption: string; label: string; reference?: number; referenceLabel?: string },
): FigureLayouts {
  const arms = [...new Set(rows.map((r) => r.arm))];
  const means = arms.map((arm) => {
    const v = rows.filter((r) => r.arm === arm).map((r) => r.value);
    return { arm, value: v.reduce((a, b) => a + b, 0) / v.length };
  });
  const reference = options.reference === undefined ? [] : [{ value: options.reference }];
  const marks = [
    Plot.ruleX(reference, { x: "value", stroke: "#e6194b", strokeDasharray: "4 3" }),
    Plot.dot(rows, Plot.dodgeY("middle", { fy: "arm", x: "value", r: 1.5, fill: "#808080" })),
    Plot.tickX(means, { fy: "arm", x: "value", stroke: "#4363d8", strokeWidth: 3 }),
  ];
  const x = { label: options.label, grid: true, domain: [0, 1] };
  return {
    wide: {
      caption: options.caption,
      width: 720,
      height: 40 + 70 * arms.length,
      marginLeft: 260,
      x,
      fy: { domain: arms, label: null },
      marks: [...marks, Plot.axisFy({ anchor: "left", label: null, lineWidth: 20 })],
    },
    // on a phone: each arm's name above its strip
    narrow: {
      caption: options.caption,
      width: NARROW_WIDTH,
      height: 50 + 100 * arms.length,
      marginLeft: 10,
      marginRight: 14,
      marginTop: 36,
      x: { ...x, ticks: 5 },
      fy: { domain: arms, axis: null, padding: 0.4 },
      marks: [
        ...marks,
        Plot.text(arms, {
          fy: (d: string) => d,
          text: (d: string) => d,
          frameAnchor: "top-left",
          lineAnchor: "bottom",
          lineWidth: 27,
          dy: -4,
        }),
      ],
    },
  };
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
  const hitMap = {
    caption: `${options.space}: hit map — a bubble per unit, sized by the images it wins and ` +
      "coloured by their most common class (hover for the counts).",
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
  };
  await showPlot({ ...hitMap, width: 560, height: 420 }, `${options.space} hit map`, {
    ...hitMap,
    width: NARROW_WIDTH,
    height: Math.round((420 * NARROW_WIDTH) / 560),
  });
}

/** A 2-D embedding coloured by class (a distinct colour each), shaped by source. */
export async function showEmbedding(
  points: readonly (readonly number[])[],
  items: readonly { label: string; source: string; patient: string }[],
  options: { title: string; caption: string; classes: readonly string[] },
): Promise<void> {
  const embedding = {
    title: options.title,
    caption: options.caption,
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
  };
  await showPlot({ ...embedding, width: 640, height: 480 }, options.title, {
    ...embedding,
    width: NARROW_WIDTH,
    height: Math.round((480 * NARROW_WIDTH) / 640),
  });
}

/**
 * Horizontal bars of counts, longest first, optionally coloured by a group. On a phone the
 * names wrap (at spaces, and after "|" between findings).
 */
export function showBars(
  rows: readonly { name: string; count: number; group?: string }[],
  options: { caption: string; label?: string; groups?: readonly string[] },
): Promise<void> {
  const { wide, narrow } = barPlots(rows, options);
  return showPlot(wide, options.caption, narrow);
}

/** The layouts of {@link showBars}. */
function barPlots(
  rows: readonly { name: string; count: number; group?: string }[],
  options: { caption: string; label?: string; groups?: readonly string[] },
): FigureLayouts {
  const longest = Math.max(...rows.map((r) => r.name.length), 4);
  const bars = {
    caption: options.caption,
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
  };
  // a name that needs wrapping on a phone gets one more line of height per bar
  const wraps = longest > 20;
  return {
    wide: {
      ...bars,
      marginLeft: Math.min(260, 12 + 7 * longest),
      height: 40 + (longest > 36 ? 34 : 22) * rows.length,
      marks: [
        ...bars.marks,
        Plot.axisY({
          label: null,
          lineWidth: 20,
          tickFormat: (d: string) => d.replaceAll("|", "| "),
        }),
      ],
    },
    narrow: {
      ...bars,
      width: NARROW_WIDTH,
      marginLeft: Math.min(140, 8 + 7 * longest),
      height: 40 + (wraps ? 34 : 22) * rows.length,
      x: { ...bars.x, ticks: 4 },
      marks: [
        ...bars.marks,
        Plot.axisY({
          label: null,
          lineWidth: 11,
          tickFormat: (d: string) => d.replaceAll("|", "| "),
        }),
      ],
    },
  };
}
