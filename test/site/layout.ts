/// <reference lib="dom" />
/**
 * Checks a machine can make of a page as a reader sees it at one width, run in the page:
 * no SVG figure text drawn under 11 CSS pixels, no caption overlapping another or running out
 * of its figure (text bounding boxes), no horizontal page overflow, and no table that scrolls
 * sideways without a visible cue (a scroll shadow) — a stacked table does not scroll.
 * @module
 */
import type { Page } from "playwright-core";

/** No text in a figure may be drawn smaller than this, in CSS pixels. */
export const MIN_TEXT_PX = 11;

/** The problems of the page as it is laid out now, in words. */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((minPx) => {
    const problems: string[] = [];
    const visible = (e: Element) =>
      e.getClientRects().length > 0 &&
      ((e as HTMLElement).checkVisibility?.({ visibilityProperty: true }) ?? true);
    const quote = (e: Element) => `"${(e.textContent ?? "").trim().slice(0, 60)}"`;
    const where = (e: Element) => {
      const figure = e.closest("figure[id]");
      return figure ? `figure #${figure.id}` : `<${e.tagName.toLowerCase()}>`;
    };

    // 1. text in SVG figures: its font size times the scale from the SVG's units to the screen
    const smallest = new Map<string, { size: number; text: string }>();
    for (const text of document.querySelectorAll("svg text")) {
      if (!visible(text) || !(text.textContent ?? "").trim()) continue;
      const ctm = (text as SVGTextElement).getScreenCTM();
      if (!ctm) continue;
      const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
      const key = where(text);
      if (size < minPx - 0.05 && size < (smallest.get(key)?.size ?? Infinity)) {
        smallest.set(key, { size, text: quote(text) });
      }
    }
    for (const [figure, { size, text }] of smallest) {
      problems.push(`text drawn at ${size.toFixed(1)} px (under ${minPx}) in ${figure}: ${text}`);
    }

    // 2. captions: the boxes of their text lines stay inside their own figure and off others
    const captions = [...document.querySelectorAll("figcaption")].filter(visible);
    const lines = captions.map((c) => {
      const range = document.createRange();
      range.selectNodeContents(c);
      return [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    });
    const overlap = (a: DOMRect, b: DOMRect) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
    captions.forEach((caption, i) => {
      const own = caption.closest("figure")?.getBoundingClientRect();
      if (own && lines[i].some((r) => r.left < own.left - 1 || r.right > own.right + 1)) {
        problems.push(`caption ${quote(caption)} runs out of its figure (${where(caption)})`);
      }
      for (let j = i + 1; j < captions.length; j++) {
        if (lines[i].some((a) => lines[j].some((b) => overlap(a, b)))) {
          problems.push(`caption ${quote(caption)} overlaps ${quote(captions[j])}`);
        }
      }
    });

    // 3. the page never scrolls sideways
    const overflow = document.documentElement.scrollWidth - innerWidth;
    if (overflow > 1) problems.push(`the page is ${overflow} px wider than the window`);

    // 4. a table that scrolls sideways shows a scroll shadow on its scrolling box
    for (const table of document.querySelectorAll("table")) {
      if (!visible(table)) continue;
      for (const box of [table, table.parentElement!]) {
        if (box.scrollWidth <= box.clientWidth + 1) continue;
        if (!/auto|scroll/.test(getComputedStyle(box).overflowX)) continue;
        if (!/gradient/.test(getComputedStyle(box).backgroundImage)) {
          problems.push(`table ${quote(table)} scrolls sideways with no visible cue`);
        }
      }
    }
    return problems;
  }, MIN_TEXT_PX);
}
