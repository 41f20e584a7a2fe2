/**
 * Every chapter ends with what its numbers show and what they cannot show at this scale,
 * written from the chapter's results (never by hand), saved in its results file and shown in
 * the notebook; the site reads the same file, so the two never disagree.
 * @module
 */
import { saveResults } from "../results.ts";
import { showMarkdown } from "../display/mod.ts";

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
