/**
 * ROC curves as a figure: one line per arm, the chance diagonal, AUC in the legend.
 * @module
 */
import type { RocPoint } from "../eval/roc.ts";
import { DISTINCT_COLOURS } from "./figures.ts";
import { Plot, showPlot } from "./plot.ts";

/** A named curve. */
export interface NamedRoc {
  readonly label: string;
  readonly roc: readonly RocPoint[];
  readonly auc?: number;
}

/** Plot options for overlaid ROC curves. */
function rocPlotOptions(curves: readonly NamedRoc[], title: string): Plot.PlotOptions {
  const name = (c: NamedRoc) =>
    c.auc === undefined || !Number.isFinite(c.auc)
      ? `${c.label} (no AUC: one class)`
      : `${c.label} (AUC ${c.auc.toFixed(2)})`;
  const points = curves.flatMap((c) =>
    c.roc.map((p) => ({ curve: name(c), fpr: p.fpr, tpr: p.tpr }))
  );
  return {
    title,
    width: 520,
    height: 440,
    aspectRatio: 1,
    x: { label: "false-positive rate", domain: [0, 1], grid: true },
    y: { label: "true-positive rate", domain: [0, 1], grid: true },
    // ordinal even when a curve is empty (an empty domain would make Plot draw a ramp)
    color: {
      legend: true,
      type: "ordinal",
      domain: curves.map(name),
      range: [...DISTINCT_COLOURS],
    },
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "4 4" }),
      Plot.line(points, { x: "fpr", y: "tpr", stroke: "curve" }),
    ],
  };
}

/** Display overlaid ROC curves. */
export function showRocs(curves: readonly NamedRoc[], title: string): Promise<void> {
  return showPlot(rocPlotOptions(curves, title), title);
}
