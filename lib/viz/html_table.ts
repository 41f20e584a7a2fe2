/**
 * Tables for notebooks and the site: an HTML table with a Markdown-ish text fallback.
 * @module
 */
import { showHtml } from "../display/mod.ts";
import { escapeHtml } from "./images.ts";

/** A cell value; numbers are formatted with `digits`. */
export type Cell = string | number | undefined;

/** Options for {@link tableHtml}. */
export interface TableOptions {
  readonly caption?: string;
  /** Decimals for non-integer numbers (default 3). */
  readonly digits?: number;
}

/**
 * Render rows (objects) as an HTML table with the given columns, in order; every cell carries
 * its column's name (`data-label`) for a stacked layout on narrow screens.
 */
function tableHtml(
  rows: readonly Record<string, Cell>[],
  columns: readonly string[] = Object.keys(rows[0] ?? {}),
  options: TableOptions = {},
): string {
  const fmt = (v: Cell) => escapeHtml(formatCell(v, options.digits ?? 3));
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  // each cell names its column, so that a page can stack a wide table's rows on a phone
  const body = rows.map((r) =>
    `<tr>${
      columns.map((c) =>
        `<td data-label="${escapeHtml(c)}"${
          typeof r[c] === "number" ? ' style="text-align:right"' : ""
        }>${fmt(r[c])}</td>`
      ).join("")
    }</tr>`
  ).join("");
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  return `<table class="xray-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Plain-text version of the same table (terminal, and the notebook's text/plain output). */
function tableText(
  rows: readonly Record<string, Cell>[],
  columns: readonly string[] = Object.keys(rows[0] ?? {}),
  digits = 3,
): string {
  const cells = [columns.slice(), ...rows.map((r) => columns.map((c) => formatCell(r[c], digits)))];
  const widths = columns.map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  return cells.map((row) => row.map((v, j) => v.padEnd(widths[j])).join("  ")).join("\n");
}

/** Display a table (HTML in a notebook, text elsewhere). */
export function showTable(
  rows: readonly Record<string, Cell>[],
  columns?: readonly string[],
  options: TableOptions = {},
): Promise<void> {
  return showHtml(tableHtml(rows, columns, options), tableText(rows, columns, options.digits));
}

function formatCell(v: Cell, digits: number): string {
  if (v === undefined) return "";
  if (typeof v === "number") {
    return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(digits);
  }
  return v;
}
