/**
 * Tables the chapters share: comparison verdicts with raw and Holm-adjusted p.
 * @module
 */
import type { Verdict } from "../experiments/verdict.ts";
import { showTable } from "../viz/table.ts";
import { fmtDiff, fmtP } from "./format.ts";

/** A family of comparisons: difference with interval, raw p, Holm-adjusted p, verdict. */
export function showVerdicts(
  verdicts: readonly Verdict[],
  caption: string,
  differenceLabel = "difference (95% CI)",
): Promise<void> {
  return showTable(
    verdicts.map((v) => ({
      comparison: v.comparison,
      [differenceLabel]: v.testable ? fmtDiff(v.difference, v.lo, v.hi) : "—",
      "p (raw)": fmtP(v.p),
      "p (Holm)": fmtP(v.pAdjusted),
      verdict: v.verdict,
    })),
    ["comparison", differenceLabel, "p (raw)", "p (Holm)", "verdict"],
    { caption },
  );
}
