/**
 * Every chapter ends with what its numbers show and what they cannot show at this scale,
 * written from the chapter's results (never by hand), saved in its results file and shown in
 * the notebook; the site reads the same file, so the two never disagree.
 * @module
 */
import { saveResults } from "../results.ts";
import { showMarkdown } from "../display/mod.ts";
import type { Verdict } from "../experiments/verdict.ts";

/** A chapter's conclusions. */
export interface ChapterSummary {
  /** Statements the measurements support, each with its number and interval. */
  readonly found: readonly string[];
  /** What the data at this scale cannot decide, and why. */
  readonly cannotSay: readonly string[];
}

/** The summary as Markdown. */
function summaryMarkdown(summary: ChapterSummary): string {
  const list = (items: readonly string[]) =>
    items.length ? items.map((s) => `- ${s}`).join("\n") : "- (nothing at this profile)";
  return `### What we found\n\n${list(summary.found)}\n\n` +
    `### What we cannot say at this scale\n\n${list(summary.cannotSay)}`;
}

/**
 * Write `results/<profile>/<name>.json` with its summary, and show the summary: the last cell
 * of every chapter.
 */
export async function closeChapter<T extends Record<string, unknown>>(
  name: string,
  results: T,
  summarise: (results: T) => ChapterSummary,
): Promise<void> {
  const summary = summarise(results);
  await saveResults(name, { ...results, summary });
  await showMarkdown(summaryMarkdown(summary));
}

/** How a chapter words a verdict in its summary; undefined leaves the verdict out. */
export interface VerdictWording {
  /** Tested and shown: a finding. */
  readonly shown: (v: Verdict) => string | undefined;
  /** Tested and not shown: something the chapter cannot say. */
  readonly notShown: (v: Verdict) => string | undefined;
  /** Not testable at this scale (default: worded as not shown). */
  readonly untestable?: (v: Verdict) => string | undefined;
}

/**
 * Each verdict of a family into "what we found" (tested and shown) or "what we cannot say"
 * (the rest), worded by the chapter, in the family's order.
 */
export function sortVerdicts(
  verdicts: readonly Verdict[],
  into: { readonly found: string[]; readonly cannotSay: string[] },
  say: VerdictWording,
): void {
  for (const v of verdicts) {
    const line = !v.testable
      ? (say.untestable ?? say.notShown)(v)
      : v.shown
      ? say.shown(v)
      : say.notShown(v);
    if (line !== undefined) (v.testable && v.shown ? into.found : into.cannotSay).push(line);
  }
}
