/**
 * Cross-validated arms shown the same way wherever a chapter reports them (chapters 3 and 6): the
 * table of mean test AUC over folds with its interval, the forest of per-fold AUCs, the pooled ROC.
 * @module
 */
import type { XrayRecord } from "../data/record.ts";
import { type CvArm, pooledRoc } from "../experiments/cross_validated.ts";
import { fmtCi } from "../format.ts";
import { STUDY_BY_START } from "../study.ts";
import { showForest } from "../viz/figures.ts";
import { showTable } from "../viz/html_table.ts";
import { showRocs } from "../viz/roc.ts";

/** The arms' table (mean over folds with the interval, per-fold range, learned?) and forest. */
export async function showCvArms<R extends XrayRecord>(
  arms: readonly CvArm<R>[],
  caption: string,
  withStudy = false,
): Promise<void> {
  await showTable(
    arms.map((a) => ({
      arm: a.arm,
      "test AUC (95% CI)": fmtCi(a.auc.estimate, a.auc.lo, a.auc.hi),
      "fold range": `${Math.min(...a.auc.perFold).toFixed(2)}–${
        Math.max(...a.auc.perFold).toFixed(2)
      }`,
      runs: `${a.folds} × ${a.repeats}`,
      ...(withStudy ? { "study (split by image)": STUDY_BY_START[a.start ?? ""] ?? "—" } : {}),
      learned: a.learned.learned ? "yes" : "no",
    })),
    undefined,
    { caption },
  );
  await showForest(
    arms.map((a) => ({
      arm: a.arm,
      points: a.auc.perFold,
      mean: a.auc.estimate,
      lo: a.auc.lo,
      hi: a.auc.hi,
      study: withStudy ? STUDY_BY_START[a.start ?? ""] : undefined,
    })),
    `${caption} Grey: each fold's test AUC (repeats averaged); blue: the mean over folds and ` +
      "its 95% interval (test sampling and training noise)" +
      (withStudy ? "; red: the study's value (split by image, 224 px, 100 epochs)." : "."),
    { run: "fold" },
  );
}

/** Pooled out-of-fold ROC curves (repeat 0) of the arms. */
export function showTransferRocs<R extends XrayRecord>(
  arms: readonly CvArm<R>[],
  title: string,
): Promise<void> {
  return showRocs(
    arms.map((a) => ({ label: a.arm, roc: pooledRoc(a), auc: a.auc.estimate })),
    title,
  );
}
