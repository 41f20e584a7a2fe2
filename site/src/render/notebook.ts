/**
 * Executed notebook → the site's chapter: Markdown (with KaTeX math) and highlighted code in
 * cell order, every output type rendered, figures numbered, and a table of contents.
 * @module
 */
import { Marked, type Tokens } from "marked";
import markedKatex from "marked-katex-extension";
import { codeToHtml } from "shiki";
import { sanitize, sanitizeMarkdown } from "./sanitize.ts";

/** Jupyter output, as stored in an .ipynb file. */
export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** A notebook cell. */
export interface NotebookCell {
  cell_type: "markdown" | "code" | "raw";
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

/** The parts of a notebook file the site reads. */
export interface NotebookFile {
  cells: NotebookCell[];
  metadata?: { xray?: { execution?: { profile?: string; executedAt?: string; seconds?: number } } };
}

/** One heading of the table of contents. */
export interface TocEntry {
  readonly id: string;
  readonly text: string;
  readonly depth: number;
}

/** A rendered chapter. */
export interface RenderedChapter {
  readonly title: string;
  /** First paragraph of the first Markdown cell, as plain text. */
  readonly summary: string;
  readonly html: string;
  readonly toc: TocEntry[];
  readonly figures: number;
}

/** Join a Jupyter multi-line string. */
export function joinSource(source: string | string[] | undefined): string {
  return Array.isArray(source) ? source.join("") : source ?? "";
}

/** Render a whole notebook. Figure numbers start at 1 for each chapter. */
export async function renderNotebook(notebook: NotebookFile): Promise<RenderedChapter> {
  const toc: TocEntry[] = [];
  const markdown = markdownRenderer(toc);
  let title = "";
  let summary = "";
  let figures = 0;
  const parts: string[] = [];
  for (const cell of notebook.cells) {
    const source = joinSource(cell.source);
    if (cell.cell_type === "markdown") {
      if (!title) {
        const h1 = /^#\s+(.+)$/m.exec(source);
        if (h1) title = h1[1].trim();
        const paragraph = source.split(/\n\s*\n/).find((p) =>
          p.trim() && !p.trim().startsWith("#")
        );
        summary = (paragraph ?? "").replace(/\s+/g, " ").replace(/[`*_]/g, "").trim();
      }
      parts.push(`<div class="md">${sanitizeMarkdown(markdown.parse(source) as string)}</div>`);
    } else if (cell.cell_type === "code") {
      const code = await codeToHtml(source, {
        lang: "typescript",
        themes: { light: "github-light-high-contrast", dark: "github-dark-high-contrast" },
        defaultColor: "light",
      });
      const n = cell.execution_count ?? " ";
      parts.push(
        `<div class="cell"><div class="code" role="group" aria-label="code cell ${n}">` +
          `<span class="prompt">[${n}]</span>${code}</div>`,
      );
      for (const output of cell.outputs ?? []) {
        const rendered = renderOutput(output, () => ++figures);
        if (rendered) parts.push(rendered);
      }
      parts.push("</div>");
    }
  }
  return {
    title: title || "Untitled",
    summary,
    html: parts.join("\n"),
    toc: toc.filter((t) => t.depth > 1),
    figures,
  };
}

/** Render one output; `nextFigure` is called for each figure to number it. */
export function renderOutput(output: NotebookOutput, nextFigure: () => number): string {
  switch (output.output_type) {
    case "stream":
      return `<pre class="out stream ${output.name ?? "stdout"}">${
        escape(stripAnsi(joinSource(output.text)))
      }</pre>`;
    case "error": {
      const trace = (output.traceback ?? []).map(stripAnsi).join("\n");
      return `<pre class="out error" role="alert">${escape(`${output.ename}: ${output.evalue}`)}${
        trace ? "\n" + escape(trace) : ""
      }</pre>`;
    }
    default:
      return renderRich(output.data ?? {}, nextFigure);
  }
}

function renderRich(data: Record<string, string | string[]>, nextFigure: () => number): string {
  const text = joinSource(data["text/plain"]);
  const caption = text.replace(/^\[(.*)\]$/s, "$1").trim();
  const figure = (body: string) => {
    const n = nextFigure();
    const label = `Figure ${n}${caption && caption !== "figure" ? `. ${capitalise(caption)}` : ""}`;
    return `<figure class="out figure" id="figure-${n}" data-figure="${n}">${body}` +
      `<figcaption>${escape(label)}</figcaption></figure>`;
  };
  if (data["image/svg+xml"]) {
    const svg = sanitize(joinSource(data["image/svg+xml"]))
      .replace(/^<svg\b/, `<svg role="img" aria-label="${escapeAttr(caption || "figure")}"`);
    return figure(svg);
  }
  if (data["image/png"]) {
    const src = `data:image/png;base64,${joinSource(data["image/png"]).replace(/\s/g, "")}`;
    return figure(`<img src="${src}" alt="${escapeAttr(caption || "figure")}">`);
  }
  if (data["text/html"]) {
    const html = sanitize(joinSource(data["text/html"]));
    if (/<(svg|img)\b/i.test(html)) return figure(`<div class="figure-body">${html}</div>`);
    return `<div class="out html">${html}</div>`;
  }
  if (data["text/markdown"]) {
    return `<div class="out md">${
      sanitizeMarkdown(new Marked().parse(joinSource(data["text/markdown"])) as string)
    }</div>`;
  }
  if (text) return `<pre class="out result">${escape(stripAnsi(text))}</pre>`;
  return "";
}

function markdownRenderer(toc: TocEntry[]): Marked {
  const used = new Map<string, number>();
  const marked = new Marked(markedKatex({ throwOnError: false, nonStandard: true }));
  marked.use({
    renderer: {
      heading(
        this: { parser: { parseInline(tokens: Tokens.Generic[]): string } },
        token: Tokens.Heading,
      ) {
        const inner = this.parser.parseInline(token.tokens);
        const plain = decodeEntities(inner.replace(/<[^>]+>/g, ""));
        let id = slug(plain);
        const seen = used.get(id) ?? 0;
        used.set(id, seen + 1);
        if (seen) id = `${id}-${seen}`;
        toc.push({ id, text: plain.trim(), depth: token.depth });
        return `<h${token.depth} id="${id}">${inner}</h${token.depth}>\n`;
      },
    },
  });
  return marked;
}

/** URL-safe id of a heading. */
export function slug(text: string): string {
  return text.toLowerCase().normalize("NFKD").replace(/[^\w\s-]/g, "").trim()
    .replace(/[\s_]+/g, "-").replace(/-+/g, "-") || "section";
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(
    /&(#x?[0-9a-f]+|\w+);/gi,
    (m, e: string) =>
      e[0] === "#"
        ? String.fromCodePoint(parseInt(e.slice(e[1] === "x" ? 2 : 1), e[1] === "x" ? 16 : 10))
        : named[e.toLowerCase()] ?? m,
  );
}

function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

function escape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

function escapeAttr(text: string): string {
  return escape(text).replace(/"/g, "&quot;");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
