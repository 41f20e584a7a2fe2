/**
 * Showing results: rich output in a Jupyter notebook (Deno kernel), plain text in a terminal.
 * Library code calls these and never needs to know where it runs.
 * @module
 */
/** A Jupyter MIME bundle: MIME type → content (base64 for binary images). */
export type MimeBundle = Record<string, string>;

/** True inside `deno jupyter` (the notebook kernel). */
export function inNotebook(): boolean {
  try {
    return typeof Deno.jupyter?.display === "function";
  } catch {
    return false; // Deno.jupyter throws outside the kernel
  }
}

/**
 * Display a MIME bundle. With `displayId`, a later call with `update: true` replaces the
 * output in place (used by progress bars). Outside a notebook, prints the text/plain part.
 */
export async function show(
  bundle: MimeBundle,
  options: { displayId?: string; update?: boolean } = {},
): Promise<void> {
  if (inNotebook()) {
    await Deno.jupyter.display(bundle, {
      raw: true,
      display_id: options.displayId,
      update: options.update,
    });
    // let the kernel send the message before the cell can finish: a display that is the last
    // thing a cell does was otherwise sometimes reported after the cell's end, and lost
    await new Promise((resolve) => setTimeout(resolve, 5));
  } else if (bundle["text/plain"] !== undefined) {
    console.log(bundle["text/plain"]);
  }
}

/** Display an SVG figure (text fallback: its title). */
export function showSvg(svg: string, title = "figure"): Promise<void> {
  return show({ "image/svg+xml": svg, "text/plain": `[${title}]` });
}

/** Display an HTML fragment with a plain-text fallback. */
export function showHtml(html: string, text = "[html]"): Promise<void> {
  return show({ "text/html": html, "text/plain": text });
}

/** Display Markdown (e.g. a computed sentence) with itself as the plain-text fallback. */
export function showMarkdown(markdown: string): Promise<void> {
  return show({ "text/markdown": markdown, "text/plain": markdown });
}
