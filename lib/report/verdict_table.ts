/**
 * Tables the chapters share: a family of comparisons as one compact table.
 * @module
 */
import type { Verdict } from "../experiments/verdict.ts";
import { showTable } from "../viz/html_table.ts";
import { fmtDiff, fmtP } from "../format.ts";

/**
 * Verdicts as one compact table: A − B with the interval its p comes from (at its level: 95%
 * for the primary comparison, the Holm step's level in a family), the p the decision reads, and
 * the decision.
 */
export function showVerdicts(verdicts: readonly Verdict[], caption: string): Promise<void> {
  return showTable(
    verdicts.map((v) => ({
      comparison: v.comparison,
      "A − B (interval)": v.testable ? fmtDiff(v.difference, v.lo, v.hi) : "—",
      level: v.level === undefined ? "—" : fmtLevel(v.level),
      p: !v.testable ? "—" : v.role === "primary" ? fmtP(v.p) : `${fmtP(v.pAdjusted)} (Holm)`,
      decision: !v.testable
        ? `not testable: ${v.verdict.replace(/^not testable[^:]*: /, "")}`
        : v.shown
        ? "shown"
        : "not shown",
    })),
    ["comparison", "A − B (interval)", "level", "p", "decision"],
    { caption },
  );
}

// "95%", "97.5%", "99.17%": up to two decimals, trailing zeros dropped.
function fmtLevel(level: number): string {
  return `${parseFloat((100 * level).toFixed(2))}%`;
}
