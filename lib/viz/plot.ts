/**
 * Observable Plot rendered on the server: Plot builds its SVG with a DOM, and linkedom gives
 * Deno one. The result is a plain SVG (or HTML) string for notebooks and the site.
 *
 * A figure must read at any width without a script: text is drawn at 12 px, and a figure wider
 * than a phone's column is rendered twice — as designed, and re-laid-out at
 * {@link NARROW_WIDTH} px (fewer ticks, labels stacked where they were beside) — with a CSS
 * container query that shows the narrow one wherever the wide one would shrink its text below
 * {@link MIN_FONT_PX}.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { showHtml, showSvg } from "../display/mod.ts";

// linkedom's window type does not declare `document`; it is there at run time
const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
  document: unknown;
};

/** Font size of a figure's text, in CSS pixels at its designed width. */
export const FONT_PX = 12;
/** No figure text may be drawn smaller than this, in CSS pixels, at any page width. */
const MIN_FONT_PX = 11;
/** Width of a figure's narrow rendering: a 390 px phone's column, with room to spare. */
export const NARROW_WIDTH = 340;
// A phone's column (390 px less the page's margins): figures up to this wide need no narrow
// rendering, since they shrink at most by 358/390.
const PHONE_COLUMN = 358;
const DEFAULT_WIDTH = 640;

/** The small part of a DOM element this module touches. */
interface PlotNode {
  tagName?: string;
  outerHTML: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selector: string): Iterable<PlotNode>;
}

/** Render Plot options to an SVG (or, with a legend, an HTML figure) string. */
export function plotToString(options: Plot.PlotOptions): string {
  const style = typeof options.style === "string"
    ? options.style
    : { fontSize: `${FONT_PX}px`, ...options.style };
  const node = Plot.plot(
    { ...options, style, document } as Plot.PlotOptions,
  ) as unknown as PlotNode;
  for (const svg of [node, ...node.querySelectorAll("svg")]) {
    if (svg.tagName?.toLowerCase() === "svg") {
      svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    }
  }
  // legends are HTML, styled by Plot at 10 px
  for (const div of node.querySelectorAll("div")) {
    if (/-swatches\b/.test(div.getAttribute("class") ?? "")) {
      div.setAttribute("style", `font-size: ${FONT_PX}px`);
    }
  }
  return node.outerHTML;
}

export { Plot };

/** True when a figure this wide needs a narrow rendering to keep its text readable on a phone. */
function needsNarrow(options: Plot.PlotOptions): boolean {
  return (options.width ?? DEFAULT_WIDTH) * MIN_FONT_PX / FONT_PX > PHONE_COLUMN;
}

/**
 * A figure re-laid-out for {@link NARROW_WIDTH} px, when its maker gave no layout of its own:
 * the same marks and height, at most four ticks along x, and a left margin of at most 40% of
 * the width (figures with long labels on the left give their own narrow layout).
 */
function narrowOptions(options: Plot.PlotOptions): Plot.PlotOptions {
  const x = options.x && typeof options.x.ticks === "number"
    ? { ...options.x, ticks: Math.min(options.x.ticks, 4) }
    : options.x;
  return {
    ...options,
    width: NARROW_WIDTH,
    ...(options.marginLeft === undefined
      ? {}
      : { marginLeft: Math.min(options.marginLeft, 0.4 * NARROW_WIDTH) }),
    ...(x ? { x } : {}),
  };
}

/**
 * The HTML (or SVG) of a figure that reads at any width: one rendering when it fits a phone,
 * else the wide and the narrow one (`narrow`, or {@link narrowOptions}) behind a container
 * query that picks one by the width the page gives it.
 */
export function responsivePlot(options: Plot.PlotOptions, narrow?: Plot.PlotOptions): string {
  const wide = plotToString(options);
  if (!needsNarrow(options)) return wide;
  const small = plotToString(narrow ?? narrowOptions(options));
  const width = options.width ?? DEFAULT_WIDTH;
  // below this width the wide figure's text would fall under MIN_FONT_PX
  const below = Math.ceil((width * MIN_FONT_PX) / FONT_PX);
  const id = `xray-plot-w${width}`;
  // the switch outranks the default (two classes before the child, not one): every figure
  // repeats the default rule, and a later figure's copy must not undo an earlier one's switch
  const style = `.xray-plot{container-type:inline-size}.xray-plot>.xray-narrow{display:none}` +
    `@container (max-width:${below - 1}px){.xray-plot.${id}>.xray-wide{display:none}` +
    `.xray-plot.${id}>.xray-narrow{display:block}}`;
  return `<div class="xray-plot ${id}"><style>${style}</style>` +
    `<div class="xray-wide">${wide}</div><div class="xray-narrow">${small}</div></div>`;
}

/**
 * Render and display a plot (SVG or HTML in a notebook; its title in a terminal), with a
 * narrow layout for phones (`narrow`, or one derived from `options`). Returns nothing so that
 * a cell ending in `await showPlot(…)` does not also print the markup.
 */
export async function showPlot(
  options: Plot.PlotOptions,
  title = "figure",
  narrow?: Plot.PlotOptions,
): Promise<void> {
  const html = responsivePlot(options, narrow);
  // a bare plot is an <svg>; one with a title, legend or narrow layout is HTML
  if (html.startsWith("<svg")) await showSvg(html, title);
  else await showHtml(html, `[${title}]`);
}
