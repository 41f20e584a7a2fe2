/// <reference lib="dom" />
/**
 * The try-it page in Chromium, as a reader uses it: three uploads score within 1e-3 of the
 * library in Deno and put the CAM's peak in the same cell of a 7×7 grid; the opacity slider
 * redraws; bad files (text, empty, 8000×8000, 16-bit) get a message or a correct result; a
 * model file that fails names itself; no request leaves the site; axe finds nothing serious.
 * Screenshots before and after an upload go to `site/test-screenshots/`.
 */
import { basename, join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { assertEquals, assertTrue } from "../assert.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { PROFILES, PROJECT_ROOT } from "../../lib/config.ts";
import { camsOf } from "../../lib/explain/apply.ts";
import { covidStudyData } from "../../lib/experiments/study_data.ts";
import { decodeGrey } from "../../lib/data/images.ts";
import { classify, loadClassifier } from "../../lib/models/classify.ts";
import { serveSite } from "../../site/serve.ts";
import { peakCell, type TryManifest } from "../../site/src/try/manifest.ts";
import { encodePng } from "../fixtures.ts";
import { tempDir } from "../helpers.ts";
import { BASE, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, testSite } from "./built.ts";

/** Wait until the page has scored `name`, or reported an error; returns what it shows. */
async function outcome(
  page: Page,
  name: string,
): Promise<Record<string, string | undefined> & { error: string }> {
  await page.waitForFunction(
    (n) => {
      const d = document.getElementById("try")!.dataset;
      return (d.state === "done" && d.image === n) || d.state === "error";
    },
    name,
    { timeout: 180_000 },
  );
  return await page.$eval("#try", (e) => ({
    ...(e as HTMLElement).dataset as Record<string, string | undefined>,
    error: document.getElementById("try-error")!.textContent ?? "",
  }));
}

// axe-core on the page showing a result, light and dark; serious and critical violations.
async function axeAfterUpload(browser: Browser, url: string, file: string): Promise<string[]> {
  const axe = await Deno.readTextFile(join(PROJECT_ROOT, "node_modules", "axe-core", "axe.min.js"));
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    // the checker is let in through the test browser alone
    const context = await browser.newContext({ bypassCSP: true, colorScheme });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('#try[data-state="ready"]', { timeout: 60_000 });
    await page.setInputFiles("#try-file", file);
    await outcome(page, basename(file));
    await page.addScriptTag({ content: axe });
    const violations = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const result = await (globalThis as any).axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v: { id: string; impact: string; help: string }) =>
        `${v.impact} ${v.id}: ${v.help}`
      );
    });
    found.push(
      ...violations.filter((v: string) => /^(serious|critical)/.test(v)).map((v: string) =>
        `${colorScheme}: ${v}`
      ),
    );
    await context.close();
  }
  return found;
}

Deno.test({
  name: "try-it page: browser scores equal the library's, bad input gets a message",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const siteDir = await testSite();
    const tryDir = join(siteDir, "try");
    const manifest: TryManifest = JSON.parse(
      await Deno.readTextFile(join(tryDir, "manifest.json")),
    );
    assertTrue(manifest.arms.length > 0 && manifest.gallery.length >= 2, manifest.missing);
    await initBackend();
    await using tmp = await tempDir();

    const server = serveSite(siteDir, { base: BASE });
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const outside: string[] = [], problems: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${origin}/`)) return route.continue();
        outside.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${origin}${BASE}try/`);
      await page.waitForSelector('#try[data-state="ready"]', { timeout: 60_000 });
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, "try-before.png"), fullPage: true });

      // three uploads: two gallery copies (predicted at build) and one original JPEG
      const arm = manifest.arms.find((a) =>
        a.key ===
          (manifest.arms.some((b) => b.key === "tuned-densenet121-nih")
            ? "tuned-densenet121-nih"
            : manifest.arms[0].key)
      )!;
      const classifier = await loadClassifier(join(tryDir, arm.dir));
      const deno = async (file: string) => {
        const { results } = await classify(classifier, [file]);
        const { heat } = await camsOf(classifier.model, arm.arch, [
          await decodeGrey(file, arm.side),
        ]);
        return { score: results[0].scores["COVID-19"], peak: peakCell(heat[0], arm.side) };
      };
      const records = (await covidStudyData(PROFILES.smoke)).records;
      const original = records.find((r) => r.imageId === manifest.gallery[1].imageId)!.path;
      const uploads = [
        {
          file: join(tryDir, manifest.gallery[0].file),
          expected: manifest.gallery[0].predictions[arm.key],
        },
        { file: original, expected: await deno(original) },
        {
          file: join(tryDir, manifest.gallery.at(-1)!.file),
          expected: manifest.gallery.at(-1)!.predictions[arm.key],
        },
      ];
      for (const { file, expected } of uploads) {
        await page.setInputFiles("#try-file", file);
        const shown = await outcome(page, basename(file));
        assertEquals(shown.state, "done", `${file}: ${shown.error}`);
        assertEquals(shown.arm, arm.key);
        const score = Number(shown.score);
        assertTrue(
          Math.abs(score - expected.score) < 1e-3,
          `${file}: ${score} vs ${expected.score}`,
        );
        assertEquals(shown.peak, expected.peak.join(","), `${file}: CAM peak cell`);
      }
      await page.screenshot({ path: join(SCREENSHOTS, "try-after.png"), fullPage: true });

      // the opacity slider redraws the overlay: at 0 the canvas is the grey input itself
      const pixels = () =>
        page.$eval("#try-canvas", (c) => {
          const canvas = c as HTMLCanvasElement;
          const data =
            canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
          let grey = 0;
          for (let i = 0; i < data.length; i += 4) grey += Number(data[i] === data[i + 2]);
          return grey / (data.length / 4);
        });
      await page.$eval("#try-opacity", (e) => {
        (e as HTMLInputElement).value = "0";
        e.dispatchEvent(new Event("input"));
      });
      assertEquals(await pixels(), 1, "at opacity 0 every pixel is grey");
      await page.$eval("#try-opacity", (e) => {
        (e as HTMLInputElement).value = "1";
        e.dispatchEvent(new Event("input"));
      });
      assertTrue((await pixels()) < 1, "at opacity 1 the colour map shows");

      // bad input: a message naming the file and the problem, and the page still works
      const text = join(tmp.path, "notes.txt"), empty = join(tmp.path, "empty.png");
      const huge = join(tmp.path, "huge.png"), deep = join(tmp.path, "sixteen-bit.png");
      await Deno.writeTextFile(text, "not an image\n");
      await Deno.writeFile(empty, new Uint8Array());
      await Deno.writeFile(huge, encodePng(8000, 8000, "grey", 8, () => 0.5));
      await Deno.writeFile(
        deep,
        encodePng(300, 260, "grey", 16, (x, y) => 0.5 + 0.4 * Math.sin(x / 17) * Math.cos(y / 23)),
      );
      for (
        const [file, message] of [
          [text, "is not a JPEG or PNG image"],
          [empty, "is empty"],
          [huge, "is 8000×8000 pixels"],
        ]
      ) {
        await page.setInputFiles("#try-file", file);
        const shown = await outcome(page, basename(file));
        assertEquals(shown.state, "error", file);
        assertTrue(
          shown.error.includes(basename(file)) && shown.error.includes(message),
          shown.error,
        );
      }
      await page.setInputFiles("#try-file", deep);
      const sixteen = await outcome(page, basename(deep));
      assertEquals(sixteen.state, "done", sixteen.error);
      const expected16 = await deno(deep);
      assertTrue(Math.abs(Number(sixteen.score) - expected16.score) < 1e-3, "16-bit PNG score");

      // a model whose weights fail to load: the message names the file
      const other = manifest.arms.find((a) => a.key !== arm.key);
      if (other) {
        const shard = `${origin}${BASE}try/${other.dir}group1-shard1of`;
        await page.route(`${shard}*`, (route) => route.fulfill({ status: 404, body: "" }));
        await page.check(`input[name="try-arm"][value="${other.key}"]`);
        const failed = await outcome(page, "never");
        assertEquals(failed.state, "error");
        assertTrue(failed.error.includes(`${other.dir}group1-shard1of`), failed.error);
      }
      classifier.model.dispose();
      assertEquals(outside, [], "requests outside the site");
      assertEquals(await axeAfterUpload(browser, `${origin}${BASE}try/`, uploads[0].file), []);
      assertEquals(problems.filter((p) => !p.includes("404")), []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
