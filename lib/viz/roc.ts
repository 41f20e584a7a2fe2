/**
 * ROC curves as a figure: one line per arm, the chance diagonal, AUC in the legend.
 * @module
 */
import type { RocPoint } from "../eval/roc.ts";
import { Plot, showPlot } from "./plot.ts";

/** A named curve. */
export interface NamedRoc {
  readonly label: string;
  readonly roc: readonly RocPoint[];
  readonly auc?: number;
}

/** Plot options for overlaid ROC curves. */
export function rocPlotOptions(curves: readonly NamedRoc[], title: string): Plot.PlotOptions {
  const points = curves.flatMap((c) =>
    c.roc.map((p) => ({
      curve: c.auc === undefined ? c.label : `${c.label} (AUC ${c.auc.toFixed(2)})`,
      fpr: p.fpr,
      tpr: p.tpr,
    }))
  );
  return {
    title,
    width: 520,
    height: 440,
    aspectRatio: 1,
    x: { label: "false-positive rate", domain: [0, 1], grid: true },
    y: { label: "true-positive rate", domain: [0, 1], grid: true },
    color: { legend: true },
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
