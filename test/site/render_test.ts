import { assertEquals } from "../assert.ts";
import { renderNotebook, renderOutput, slug } from "../../site/src/render/notebook.ts";
import { sanitize } from "../../site/src/render/sanitize.ts";

Deno.test("sanitize removes scripts, event handlers, javascript: links and non-image data", () => {
  const dirty = '<div onclick="steal()">ok<script>alert(1)</script>' +
    '<a href="javascript:alert(1)">x</a><img src="x" onerror="alert(1)">' +
    '<img src="data:text/html;base64,PHNjcmlwdD4=" alt="bad">' +
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt="good"></div>';
  const clean = sanitize(dirty);
  for (const bad of ["<script", "onclick", "onerror", "javascript:", "data:text/html"]) {
    if (clean.includes(bad)) throw new Error(`"${bad}" survived: ${clean}`);
  }
  if (!clean.includes('alt="good"')) throw new Error(`the PNG was removed: ${clean}`);
});

Deno.test("sanitize keeps Plot figures: SVG geometry, scoped style, titles", () => {
  const figure = '<figure class="plot-1"><style>.plot-1 { display: block; }</style>' +
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">' +
    '<g transform="translate(1,1)"><rect x="0" y="0" width="5" height="5" fill="red">' +
    '<title>COVID-19: 3 images</title></rect><text text-anchor="middle">a</text></g></svg></figure>';
  const clean = sanitize(figure);
  for (
    const keep of [
      "<style>",
      'viewBox="0 0 10 10"',
      "<title>COVID-19: 3 images</title>",
      'text-anchor="middle"',
    ]
  ) {
    if (!clean.includes(keep)) throw new Error(`"${keep}" was lost: ${clean}`);
  }
});

Deno.test("renderOutput: every output type, figures numbered in order", () => {
  let n = 0;
  const next = () => ++n;
  const stream = renderOutput({
    output_type: "stream",
    name: "stdout",
    text: ["a < b\n", "\x1b[31mred\x1b[0m"],
  }, next);
  assertEquals(stream, '<pre class="out stream stdout">a &lt; b\nred</pre>');
  const error = renderOutput({
    output_type: "error",
    ename: "TypeError",
    evalue: "x is undefined",
    traceback: [],
  }, next);
  assertEquals(error.includes("TypeError: x is undefined") && error.includes('role="alert"'), true);
  const svg = renderOutput({
    output_type: "display_data",
    data: { "image/svg+xml": "<svg><rect/></svg>", "text/plain": "[views]" },
  }, next);
  const png = renderOutput({
    output_type: "display_data",
    data: { "image/png": "iVBORw0KGgo=", "text/plain": "[grid]" },
  }, next);
  const table = renderOutput({
    output_type: "display_data",
    data: { "text/html": "<table><tr><td>1</td></tr></table>" },
  }, next);
  const md = renderOutput(
    { output_type: "display_data", data: { "text/markdown": "**bold**" } },
    next,
  );
  const text = renderOutput({ output_type: "execute_result", data: { "text/plain": "42" } }, next);
  assertEquals(
    svg.includes('id="figure-1"') && svg.includes("Figure 1. Views") &&
      svg.includes('aria-label="views"'),
    true,
  );
  assertEquals(png.includes('id="figure-2"') && png.includes('alt="grid"'), true);
  assertEquals(table, '<div class="out html"><table><tr><td>1</td></tr></table></div>');
  assertEquals(md.includes("<strong>bold</strong>"), true);
  assertEquals(text, '<pre class="out result">42</pre>');
  assertEquals(n, 2);
});

Deno.test("renderNotebook: title, summary, table of contents, math, highlighted code", async () => {
  const chapter = await renderNotebook({
    cells: [
      {
        cell_type: "markdown",
        source: "# 9 · A chapter\n\nFirst *paragraph* here.\n\n## Part one\n\nInline $x^2$.",
      },
      { cell_type: "code", source: "const a = 1;", execution_count: 1, outputs: [] },
      { cell_type: "markdown", source: "## Part one\n### The study's view" },
    ],
  });
  assertEquals(chapter.title, "9 · A chapter");
  assertEquals(chapter.summary, "First paragraph here.");
  assertEquals(chapter.toc, [
    { id: "part-one", text: "Part one", depth: 2 },
    { id: "part-one-1", text: "Part one", depth: 2 },
    { id: "the-studys-view", text: "The study's view", depth: 3 },
  ]);
  assertEquals(chapter.html.includes('class="katex"'), true);
  assertEquals(chapter.html.includes('class="shiki'), true);
  assertEquals(slug("Images versus patients!"), "images-versus-patients");
});

Deno.test("markdown cells are sanitised like outputs: a hostile notebook renders harmless", async () => {
  const hostile = {
    cells: [
      {
        cell_type: "markdown" as const,
        source: "# Hostile\n\nText <script>alert('md')</script> and " +
          '<img src=x onerror="alert(1)"> and <a href="javascript:alert(2)">a link</a>.\n\n' +
          '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>\n\n' +
          "## Math still works\n\n$$M_c = \\sum_k w_{c,k} f_k$$",
      },
      {
        cell_type: "code" as const,
        source: "1",
        outputs: [{
          output_type: "display_data" as const,
          data: { "text/markdown": "**bold** <script>alert('out')</script>" },
        }],
        execution_count: 1,
      },
    ],
  };
  const { html, toc } = await renderNotebook(hostile);
  for (const bad of ["<script", "onerror", "javascript:", "<iframe", "<style>body"]) {
    if (html.includes(bad)) throw new Error(`"${bad}" survived in:\n${html}`);
  }
  // what prose needs survives: headings with their ids, math (KaTeX), bold
  for (const keep of ['id="math-still-works"', 'class="katex', "<math", "<strong>bold</strong>"]) {
    if (!html.includes(keep)) throw new Error(`"${keep}" was removed from:\n${html}`);
  }
  assertEquals(toc.map((t) => t.id), ["math-still-works"]);
});
