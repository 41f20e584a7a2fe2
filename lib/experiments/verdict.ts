/**
 * Whether a comparison can be made at all, and what it says once made.
 *
 * - A comparison is **not testable** when an arm it rests on did not learn (its AUC interval
 *   reaches 0.5, see `learned.ts`), was not what its name claims (a backbone that failed the
 *   pretraining gate), or gave (near-)constant scores. It gets no p-value and does not count in
 *   its family: a family of tests about arms that learned nothing would only dilute the rest.
 * - The **primary** comparison of a chapter is named before any result and tested on its own at
 *   α = 0.05. Every other comparison is **secondary**: one Holm family per chapter.
 * - A verdict prints the interval its p-value comes from: both from the same estimate, standard
 *   error and degrees of freedom (a t or a normal test). In a Holm family the interval is at the
 *   level of the comparison's Holm step (1 − α/(m − j) for the j-th smallest p of m), so it
 *   excludes 0 exactly when that step rejects.
 * @module
 */
import { holm } from "../eval/multiple.ts";
import { normalCdf, studentTCdf, studentTQuantile } from "../eval/stats.ts";

/** Scores whose spread is below this are treated as constant (a degenerate model). */
const CONSTANT_SCORE_SD = 1e-3;

/** The level every test is decided at. */
const ALPHA = 0.05;

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

/**
 * A comparison A − B as measured: the difference, its standard error and the degrees of
 * freedom of its reference distribution (Infinity for a normal one, e.g. a bootstrap's SE).
 */
export interface ComparisonInput {
  readonly a: ArmStatus;
  readonly b: ArmStatus;
  readonly difference?: number;
  readonly se?: number;
  readonly df?: number;
  /** Why this comparison itself cannot be made (e.g. no class with enough positives). */
  readonly notTestable?: string;
  /** What the difference is of, for tables (e.g. "test AUC, mean over 5 folds"). */
  readonly measure?: string;
}

/** A comparison after its test, with the verdict in words. */
export interface Verdict {
  readonly comparison: string;
  readonly a: string;
  readonly b: string;
  /** "primary" (tested alone) or "secondary" (in the chapter's Holm family). */
  readonly role: "primary" | "secondary";
  readonly testable: boolean;
  readonly difference?: number;
  readonly lo?: number;
  readonly hi?: number;
  /** Confidence level of [lo, hi]: 0.95, or the Holm step's level. */
  readonly level?: number;
  readonly p?: number;
  /** The p the decision reads: p itself (primary) or Holm-adjusted (secondary). */
  readonly pAdjusted?: number;
  readonly shown: boolean;
  /** e.g. "A > B (Holm p = 0.012)", "no difference shown (p = 0.41)", "not testable: …". */
  readonly verdict: string;
}

/** Two-sided p of "A − B = 0" from the estimate, its standard error and degrees of freedom. */
function twoSidedP(difference: number, se: number, df: number): number {
  if (!Number.isFinite(difference) || !(se >= 0)) return NaN;
  if (se === 0) return difference === 0 ? 1 : 0;
  const t = Math.abs(difference / se);
  const upper = Number.isFinite(df) ? 1 - studentTCdf(t, df) : 1 - normalCdf(t);
  return Math.min(1, 2 * upper);
}

/** The half-width of a two-sided interval at `level` for a standard error and df. */
function halfWidth(se: number, df: number, level: number): number {
  return studentTQuantile(1 - (1 - level) / 2, Number.isFinite(df) ? df : 1e7) * se;
}

/** The primary comparison: tested on its own at α, with its 95% interval. */
export function decidePrimary(c: ComparisonInput, alpha = ALPHA): Verdict {
  const [v] = decide([c], alpha, "primary");
  return v;
}

/** A secondary family: Holm-adjusted, each interval at its Holm step's level. */
export function decideFamily(comparisons: readonly ComparisonInput[], alpha = ALPHA): Verdict[] {
  return decide(comparisons, alpha, "secondary");
}

function decide(
  comparisons: readonly ComparisonInput[],
  alpha: number,
  role: Verdict["role"],
): Verdict[] {
  const reasons = comparisons.map((c) =>
    c.a.notTestable ?? c.b.notTestable ?? c.notTestable ??
      (Number.isFinite(c.difference) && Number.isFinite(c.se) && (c.df ?? Infinity) > 0
        ? undefined
        : "no test could be run")
  );
  const raw = comparisons.map((c, i) =>
    reasons[i] ? undefined : twoSidedP(c.difference!, c.se!, c.df ?? Infinity)
  );
  const adjusted = role === "primary" ? raw : holm(raw);
  // Holm step of each testable comparison: its rank among the testable p-values, smallest first
  const testable = raw.map((p, i) => ({ p, i })).filter((e) => e.p !== undefined)
    .sort((x, y) => x.p! - y.p!);
  const m = testable.length;
  const step = new Map(testable.map(({ i }, j) => [i, j]));
  return comparisons.map((c, i): Verdict => {
    const comparison = `${c.a.arm} − ${c.b.arm}`;
    const base = { comparison, a: c.a.arm, b: c.b.arm, role };
    if (reasons[i]) {
      return {
        ...base,
        testable: false,
        shown: false,
        verdict: `not testable at this scale: ${reasons[i]}`,
      };
    }
    const level = role === "primary" ? 1 - alpha : 1 - alpha / (m - step.get(i)!);
    const half = halfWidth(c.se!, c.df ?? Infinity, level);
    const p = raw[i]!, pAdjusted = adjusted[i]!;
    const shown = pAdjusted <= alpha;
    const pText = role === "primary" ? `p ${formatP(p)}` : `Holm p ${formatP(pAdjusted)}`;
    const direction = c.difference! > 0 ? ">" : "<";
    return {
      ...base,
      testable: true,
      difference: c.difference,
      lo: c.difference! - half,
      hi: c.difference! + half,
      level,
      p,
      pAdjusted,
      shown,
      verdict: shown
        ? `${c.a.arm} ${direction} ${c.b.arm} (${pText})`
        : `no difference shown (${pText})`,
    };
  });
}

/** A p-value as it is printed after "p": "= 0.012", "< 0.001". */
function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return `= ${p.toFixed(3)}`;
}
