/**
 * Observable Plot rendered on the server: Plot builds its SVG with a DOM, and linkedom gives
 * Deno one. The result is a plain SVG string for notebooks and the site.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { showHtml, showSvg } from "./display.ts";

// linkedom's window type does not declare `document`; it is there at run time
const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
  document: unknown;
};

/** The small part of a DOM element this module touches. */
interface PlotNode {
  tagName?: string;
  outerHTML: string;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selector: string): Iterable<PlotNode>;
}

/** Render Plot options to an SVG (or, with a legend, an HTML figure) string. */
export function plotToString(options: Plot.PlotOptions): string {
  const node = Plot.plot({ ...options, document } as Plot.PlotOptions) as unknown as PlotNode;
  for (const svg of [node, ...node.querySelectorAll("svg")]) {
    if (svg.tagName?.toLowerCase() === "svg") {
      svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    }
  }
  return node.outerHTML;
}

export { Plot };

/**
 * Render and display a plot (SVG in a notebook; its title in a terminal). Returns nothing so
 * that a cell ending in `await showPlot(…)` does not also print the markup.
 */
export async function showPlot(options: Plot.PlotOptions, title = "figure"): Promise<void> {
  const html = plotToString(options);
  // a plot with a title or legend is an HTML <figure>; a bare plot is an <svg>
  if (html.startsWith("<svg")) await showSvg(html, title);
  else await showHtml(html, `[${title}]`);
}
