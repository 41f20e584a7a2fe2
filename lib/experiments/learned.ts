/**
 * The one rule for "did this model learn?", used by every chapter and the site: an arm learned
 * when the lower end of its AUC interval lies above 0.5 — the interval that covers test
 * sampling and training noise (see `eval/crossval.ts`). An arm that did not learn is reported,
 * but no comparison rests on it, no map of it is shown as evidence, and the site marks it.
 * @module
 */
import { fmtCi } from "../format.ts";

/** What the rule decided about one arm. */
export interface Learned {
  readonly learned: boolean;
  /** One clause, e.g. "test AUC 0.61 (0.48–0.74) reaches 0.5". */
  readonly reason: string;
}

/** Apply the rule to an AUC and its interval. */
export function learnedRule(
  e: { readonly estimate: number; readonly lo: number; readonly hi: number },
  measure = "test AUC",
): Learned {
  const text = `${measure} ${fmtCi(e.estimate, e.lo, e.hi)}`;
  if (!Number.isFinite(e.lo)) {
    return { learned: false, reason: `${measure} has no interval (too few folds or images)` };
  }
  return e.lo > 0.5
    ? { learned: true, reason: `${text} lies above 0.5` }
    : { learned: false, reason: `${text} reaches 0.5: it did not measurably learn` };
}
