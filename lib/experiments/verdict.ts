/**
 * Whether a comparison can be made at all, and what it says once made. A comparison is not
 * testable when an arm it rests on did not learn what its name claims (a backbone that failed
 * the pretraining gate) or produced (near-)constant scores; its p-value is then not computed,
 * and it does not count in the chapter's Holm family. The rest are decided on Holm-adjusted p.
 * @module
 */
import { holm } from "../eval/multiple.ts";

/** Scores whose spread is below this are treated as constant (a degenerate model). */
export const CONSTANT_SCORE_SD = 1e-3;

/** Spread of a model's scores: a model that outputs one value for every image is degenerate. */
export function scoreSpread(scores: readonly number[]): {
  sd: number;
  distinct: number;
  degenerate: boolean;
} {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, v) => a + (v - mean) ** 2, 0) / scores.length);
  const distinct = new Set(scores).size;
  return { sd, distinct, degenerate: !(sd >= CONSTANT_SCORE_SD) || distinct < 3 };
}

/** An arm, as far as comparisons are concerned. */
export interface ArmStatus {
  readonly arm: string;
  /** Why comparisons with this arm are not testable; undefined when they are. */
  readonly notTestable?: string;
}

/** A comparison A − B with its raw p (undefined when not testable). */
export interface ComparisonInput {
  readonly a: ArmStatus;
  readonly b: ArmStatus;
  readonly difference?: number;
  readonly lo?: number;
  readonly hi?: number;
  readonly p?: number;
  /** Why this comparison itself cannot be made (e.g. no class with enough positives). */
  readonly notTestable?: string;
}

/** A comparison after the family's Holm adjustment, with its verdict in words. */
export interface Verdict {
  readonly comparison: string;
  readonly testable: boolean;
  readonly difference?: number;
  readonly lo?: number;
  readonly hi?: number;
  readonly p?: number;
  readonly pAdjusted?: number;
  /** e.g. "A > B (Holm p = 0.012)", "no difference shown", "not testable at this scale: …". */
  readonly verdict: string;
}

/** Holm-adjust the testable comparisons of one family and state each verdict at level α. */
export function decideFamily(
  comparisons: readonly ComparisonInput[],
  alpha = 0.05,
): Verdict[] {
  const reasons = comparisons.map((c) => c.a.notTestable ?? c.b.notTestable ?? c.notTestable);
  const adjusted = holm(comparisons.map((c, i) => (reasons[i] ? undefined : c.p)));
  return comparisons.map((c, i): Verdict => {
    const comparison = `${c.a.arm} − ${c.b.arm}`;
    if (reasons[i] || c.p === undefined) {
      return {
        comparison,
        testable: false,
        verdict: `not testable at this scale: ${reasons[i] ?? "no test was run"}`,
      };
    }
    const pAdjusted = adjusted[i]!;
    const shown = pAdjusted <= alpha;
    const direction = (c.difference ?? 0) > 0 ? ">" : "<";
    return {
      comparison,
      testable: true,
      difference: c.difference,
      lo: c.lo,
      hi: c.hi,
      p: c.p,
      pAdjusted,
      verdict: shown
        ? `${c.a.arm} ${direction} ${c.b.arm} (Holm-adjusted p = ${formatP(pAdjusted)})`
        : `no difference shown (Holm-adjusted p = ${formatP(pAdjusted)})`,
    };
  });
}

/** A p-value as reports print it: 3 significant digits, "< 0.001" below that. */
export function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return p.toFixed(3);
}
