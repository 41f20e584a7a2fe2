/// <reference lib="dom" />
/**
 * The report end to end: execute the notebooks at the smoke profile (cached), build the site
 * under a sub-path, and read every page in a real browser (Debian chromium via playwright-core):
 * it loads cleanly, links resolve, figures have size and images alt text, scripts are forbidden
 * by a Content-Security-Policy, and axe-core finds nothing serious in light or dark mode. Every
 * page is then laid out at 1280 and 390 px and checked as a reader would see it (see
 * `layout.ts`: no figure text under 11 px, no caption overlapping another or leaving its figure,
 * no sideways page scroll, no table scrolling without a cue); full-page screenshots of each,
 * `<page>-1280.png` and `<page>-390.png`, are kept in `site/test-screenshots/` (git-ignored).
 */
import { join } from "node:path";
import { chromium } from "playwright-core";
import { assertEquals } from "../assert.ts";
import { PROJECT_ROOT } from "../../lib/config.ts";
import { listNotebooks } from "../../lib/notebook/execute.ts";
import { serveSite } from "../../site/serve.ts";
import { BASE, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, testSite } from "./built.ts";
import { layoutProblems } from "./layout.ts";

// The one page allowed a script: its own bundle (self-hosted), WebAssembly, and requests to
// the site's own files only.
const TRY_PAGE = `${BASE}try/`;

Deno.test({
  name: "report: every page loads cleanly in Chromium, figures have size, links resolve",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const siteDir = await testSite();
    const server = serveSite(siteDir, { base: BASE });
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
    try {
      const problems: string[] = [];
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      page.on("response", (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      });

      // crawl from the home page, following every internal link once
      const queue = [`${origin}${BASE}`];
      const seen = new Set<string>();
      const internal = new Set<string>();
      let figures = 0;
      while (queue.length) {
        const url = queue.shift()!;
        if (seen.has(url)) continue;
        seen.add(url);
        const response = await page.goto(url, { waitUntil: "load" });
        assertEquals(response?.status(), 200, url);
        const boxes = await page.$$eval(
          "figure, svg, img",
          (els) =>
            els.filter((e) => !e.closest("svg") || e.tagName.toLowerCase() === "svg")
              // not drawn on purpose: the try-it page's result before use, a figure's
              // narrow layout on a wide screen
              .filter((e) => e.checkVisibility({ visibilityProperty: true }))
              .map((e) => {
                const b = e.getBoundingClientRect();
                return { tag: e.tagName, w: b.width, h: b.height };
              }),
        );
        for (const b of boxes) {
          if (!(b.w > 0 && b.h > 0)) problems.push(`zero-size ${b.tag} on ${url}`);
        }
        figures += await page.$$eval("figure.out", (els) => els.length);
        const missingAlt = await page.$$eval("img:not([alt])", (els) => els.length);
        if (missingAlt) problems.push(`${missingAlt} image(s) without alt text on ${url}`);
        // a Content-Security-Policy that forbids scripts, on every page
        const csp = await page.$eval(
          'meta[http-equiv="Content-Security-Policy"]',
          (m) => m.getAttribute("content") ?? "",
        ).catch(() => "");
        if (new URL(url).pathname === TRY_PAGE) {
          for (const rule of ["script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'"]) {
            if (!csp.includes(rule)) problems.push(`CSP without ${rule} on ${url}`);
          }
          const scripts = await page.$$eval(
            "script",
            (els) => els.map((e) => (e as HTMLScriptElement).src),
          );
          for (const src of scripts) {
            if (!src.startsWith(`${origin}${BASE}`)) {
              problems.push(`script ${src || "inline"} on ${url}`);
            }
          }
        } else {
          if (!csp.includes("script-src 'none'")) {
            problems.push(`no script-forbidding CSP on ${url}`);
          }
          if (await page.$$eval("script", (els) => els.length)) problems.push(`a script on ${url}`);
        }
        const links = await page.$$eval(
          "a[href]",
          (as) => as.map((a) => (a as HTMLAnchorElement).href),
        );
        for (const link of links) {
          const u = new URL(link);
          if (u.origin !== origin) continue;
          if (!u.pathname.startsWith(BASE)) {
            problems.push(`link outside the base path: ${link} on ${url}`);
          }
          const target = u.origin + u.pathname;
          if (u.pathname.endsWith(".ipynb")) internal.add(target);
          else if (!seen.has(target)) queue.push(target);
          if (u.hash) {
            const exists = target === url.split("#")[0]
              ? await page.$(`[id="${decodeURIComponent(u.hash.slice(1))}"]`)
              : true; // anchors on other pages are checked when those pages load
            if (!exists) problems.push(`anchor ${u.hash} missing on ${url}`);
          }
        }
      }
      for (const file of internal) {
        const r = await fetch(file);
        await r.body?.cancel();
        if (r.status !== 200) problems.push(`download ${file}: HTTP ${r.status}`);
      }
      const chapters = (await listNotebooks(join(PROJECT_ROOT, "notebooks"))).length;
      // home, methods, the try-it page and one page per chapter, each reached by links
      assertEquals(seen.size >= chapters + 3, true, `only ${seen.size} pages reached`);
      assertEquals(seen.has(`${origin}${TRY_PAGE}`), true, "the try-it page is not linked");
      assertEquals(figures > 0, true, "no figures found");
      // every page as a reader sees it on a desktop and on a phone: screenshots, layout checks
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
        for (const url of seen) {
          const name =
            new URL(url).pathname.slice(BASE.length).replace(/\/$/, "").replace(/\//g, "-") ||
            "home";
          await page.goto(url);
          if (new URL(url).pathname === TRY_PAGE) {
            await page.waitForSelector('#try[data-state="ready"]', { timeout: 60_000 });
          }
          await page.screenshot({
            path: join(SCREENSHOTS, `${name}-${width}.png`),
            fullPage: true,
          });
          for (const problem of await layoutProblems(page)) {
            problems.push(`${url} at ${width} px: ${problem}`);
          }
        }
      }
      // accessibility: axe-core in the page, in light and dark mode; serious and critical fail
      const axe = await Deno.readTextFile(
        join(PROJECT_ROOT, "node_modules", "axe-core", "axe.min.js"),
      );
      for (const colorScheme of ["light", "dark"] as const) {
        // the pages forbid scripts; the checker is let in through the test browser alone
        const context = await browser.newContext({ bypassCSP: true, colorScheme });
        const checker = await context.newPage();
        for (const url of seen) {
          await checker.goto(url);
          await checker.addScriptTag({ content: axe });
          const violations = await checker.evaluate(async () => {
            // deno-lint-ignore no-explicit-any
            const result = await (globalThis as any).axe.run(document, {
              resultTypes: ["violations"],
            });
            return result.violations.map((
              v: { id: string; impact: string; nodes: unknown[]; help: string },
            ) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
          });
          for (const v of violations) {
            if (v.impact === "serious" || v.impact === "critical") {
              problems.push(
                `axe (${colorScheme}) ${v.impact} ${v.id} ×${v.nodes} on ${url}: ${v.help}`,
              );
            }
          }
        }
        await context.close();
      }
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
