/// <reference lib="dom" />
/**
 * The try-it page in Chromium, as a reader uses it.
 *
 * What is held against what, and why it is independent:
 * - every gallery copy against its SOURCE file (decoded and reduced in the test; correlation
 *   ≥ 0.99, same size) — never against a number computed from the copy;
 * - the page's score and CAM peak against the library's, on the same file (the copy, whose
 *   library score was made at build; an original JPEG and a 16-bit PNG, scored here);
 * - the default model against chapter 3's results file (its named primary arm), and the
 *   gallery's patients against the published models' own cards (the leakage guard).
 * And the page's states: each result names its image; a new image clears the last result at
 * once; a refused file shows its reason where the result was; a result for an image the reader
 * already left is dropped; the result scrolls into view on a phone. Bad files (text, empty,
 * 8000×8000, a 10000×10000 JPEG whose size hides behind 320 KiB of metadata, 1×1) are refused
 * with a message; a small image is scored with a warning. Screenshots before and after an
 * upload, at 1280 and 390 px, go to `site/test-screenshots/`; the backend probe's timings and
 * each backend's time per image are printed.
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
import { type ModelCard, readCard } from "../../lib/models/card.ts";
import { serveSite } from "../../site/serve.ts";
import { peakCell, type TryManifest } from "../../site/src/browser/manifest.ts";
import { firstRun, type TransferResults } from "../../site/staging/prepare.ts";
import { encodeJpeg, encodePng } from "../fixtures.ts";
import { tempDir } from "../helpers.ts";
import { BASE, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, testSite } from "./built.ts";
import { copyMatchesSource } from "./source_check.ts";

type Shown = Record<string, string | undefined> & { error: string; status: string };

/** Wait until the page has scored `name`, or refused something; returns what it shows. */
async function outcome(page: Page, name: string): Promise<Shown> {
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
    status: document.getElementById("try-status")!.textContent ?? "",
  }));
}

/** What the page shows as its result, row by row, and whether it is on screen at all. */
function resultRows(page: Page): Promise<{ hidden: boolean; rows: Record<string, string> }> {
  return page.evaluate(() => {
    const dts = [...document.querySelectorAll("#try-result dt")];
    return {
      hidden: document.getElementById("try-output")!.hidden === true,
      rows: Object.fromEntries(
        dts.map((dt) => [dt.textContent ?? "", dt.nextSibling?.textContent ?? ""]),
      ),
    };
  });
}

// Record every state the page passes through, with whether a result was on screen then.
async function watchStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const root = document.getElementById("try")!;
    // deno-lint-ignore no-explicit-any
    const log: unknown[] = ((globalThis as any).__states = []);
    new MutationObserver(() =>
      log.push({
        state: root.dataset.state,
        image: root.dataset.image,
        score: root.dataset.score,
        outputHidden: document.getElementById("try-output")!.hidden,
      })
    ).observe(root, { attributes: true });
  });
}
function states(
  page: Page,
): Promise<{ state: string; image?: string; score?: string; outputHidden: boolean }[]> {
  // deno-lint-ignore no-explicit-any
  return page.evaluate(() => (globalThis as any).__states.splice(0));
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
  name: "try-it page: real X-rays in the gallery, scores equal the library's, explicit states",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const siteDir = await testSite();
    const tryDir = join(siteDir, "try");
    const manifest: TryManifest = JSON.parse(
      await Deno.readTextFile(join(tryDir, "manifest.json")),
    );
    assertTrue(manifest.arms.length > 0 && manifest.gallery.length >= 2, manifest.missing);

    // the default is chapter 3's primary arm, as its results file names it — not a test AUC
    const results: TransferResults = JSON.parse(
      await Deno.readTextFile(join(PROJECT_ROOT, "results", "smoke", "covid-transfer.json")),
    );
    const primary = results.primary?.a ??
      results.arms.find((a) =>
        a.start === "nih" && a.mode !== "frozen" && a.augment && a.arch === "densenet121"
      )?.key;
    assertEquals(manifest.defaultArm, primary, "the page's first model");
    const arm = manifest.arms.find((a) => a.key === manifest.defaultArm)!;

    // every gallery copy is its source X-ray; no published model saw its patient
    const records = (await covidStudyData(PROFILES.smoke)).records;
    const source = (imageId: string) => records.find((r) => r.imageId === imageId)!;
    for (const item of manifest.gallery) {
      const check = await copyMatchesSource(join(tryDir, item.file), source(item.imageId).path);
      assertEquals(check.size, check.expected, `${item.file}: size`);
      assertTrue(check.r >= 0.99, `${item.file} vs ${item.imageId}: correlation ${check.r}`);
    }
    const seen = new Set<string>();
    for (const published of manifest.arms) {
      const run = firstRun(results.arms.find((a) => a.key === published.key)!)!;
      let card: ModelCard | undefined;
      for (const dir of [run.model!, join(run.model!, "best")]) {
        card ??= await readCard(join(PROJECT_ROOT, dir)).catch(() => undefined);
      }
      for (const t of card!.trainedOn) seen.add(`${t.source}/${t.patientId}`);
    }
    for (const item of manifest.gallery) {
      const r = source(item.imageId);
      assertTrue(!seen.has(`${r.source}/${r.patientId}`), `${item.imageId}: a model saw it`);
    }

    await initBackend();
    await using tmp = await tempDir();
    const server = serveSite(siteDir, { base: BASE });
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const url = `${origin}${BASE}try/`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const outside: string[] = [], problems: string[] = [];
      await context.route("**/*", (route) => {
        const address = route.request().url();
        if (address.startsWith(`${origin}/`)) return route.continue();
        outside.push(address);
        return route.abort();
      });
      const page = await context.newPage();
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(url);
      await page.waitForSelector('#try[data-state="ready"]', { timeout: 60_000 });
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: join(SCREENSHOTS, "try-before-upload-1280.png"),
        fullPage: true,
      });
      assertEquals(
        await page.$eval('input[name="try-arm"]:checked', (e) => (e as HTMLInputElement).value),
        manifest.defaultArm,
      );
      // an arm chapter 3 found not to learn says so beside its name
      for (const a of manifest.arms) {
        const notice = await page.$(`input[value="${a.key}"] + span .not-learned`);
        assertEquals(Boolean(notice), !a.learned, `${a.key}: "did not learn" notice`);
      }
      await watchStates(page);

      // the library on a file, here in Deno
      const classifier = await loadClassifier(join(tryDir, arm.dir));
      const deno = async (file: string) => {
        const { results } = await classify(classifier, [file]);
        const { heat } = await camsOf(classifier.model, arm.arch, [
          await decodeGrey(file, arm.side),
        ]);
        return { score: results[0].scores["COVID-19"], peak: peakCell(heat[0], arm.side) };
      };
      const first = manifest.gallery[0], last = manifest.gallery.at(-1)!;
      const original = source(manifest.gallery[1].imageId).path;
      const check = async (
        shown: Shown,
        name: string,
        expected: { score: number; peak: readonly number[] },
      ) => {
        assertEquals(shown.state, "done", `${name}: ${shown.error}`);
        assertEquals([shown.arm, shown.image], [arm.key, name]);
        const score = Number(shown.score);
        assertTrue(
          Math.abs(score - expected.score) < 1e-3,
          `${name}: ${score} vs ${expected.score}`,
        );
        assertEquals(shown.peak, expected.peak.join(","), `${name}: CAM peak cell`);
        // the result names its image, in its rows and under its picture
        const { hidden, rows } = await resultRows(page);
        assertTrue(!hidden && rows.Image.startsWith(name), `${name}: ${rows.Image}`);
        assertEquals(await page.$eval("#try-image-name", (e) => e.textContent), name);
      };

      // a gallery image through its button: the page's score equals the library's on that copy
      await page.click(`[data-gallery="${first.file}"]`);
      const firstName = basename(first.file);
      await check(await outcome(page, firstName), firstName, first.predictions[arm.key]);
      // an original JPEG: a new image clears the last result at once, then scores as the library
      await page.setInputFiles("#try-file", original);
      const shownOriginal = await outcome(page, basename(original));
      await check(shownOriginal, basename(original), await deno(original));
      const passed = await states(page);
      const reading = passed.find((s) => s.state === "reading" && s.image === basename(original));
      assertTrue(
        reading?.outputHidden === true && reading.score === undefined,
        `the old result stayed while reading: ${JSON.stringify(passed)}`,
      );
      // two gallery images chosen in one go: only the second one's result is shown
      await page.evaluate(([a, b]) => {
        for (const file of [a, b]) {
          document.querySelector<HTMLButtonElement>(`[data-gallery="${file}"]`)!.click();
        }
      }, [first.file, last.file]);
      const lastName = basename(last.file);
      await check(await outcome(page, lastName), lastName, last.predictions[arm.key]);
      assertTrue(
        !(await states(page)).some((s) => s.state === "done" && s.image === firstName),
        "a result for the image left behind was shown",
      );
      await page.screenshot({
        path: join(SCREENSHOTS, "try-after-upload-1280.png"),
        fullPage: true,
      });
      console.log(
        `gallery ${lastName}: page ${Number((await outcome(page, lastName)).score).toFixed(4)}, ` +
          `library on the copy ${last.predictions[arm.key].score.toFixed(4)}, on the original ` +
          `${last.originalPredictions[arm.key].score.toFixed(4)}`,
      );

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

      // refused files: the reason, naming the file, where the result was; the old result gone
      const file = (name: string) => join(tmp.path, name);
      await Deno.writeTextFile(file("notes.txt"), "not an image\n");
      await Deno.writeFile(file("empty.png"), new Uint8Array());
      await Deno.writeFile(file("huge.png"), encodePng(8000, 8000, "grey", 8, () => 0.5));
      await Deno.writeFile(file("dot.png"), encodePng(1, 1, "grey", 8, () => 0.5));
      await Deno.writeFile(file("hidden-size.jpg"), await hiddenSizeJpeg());
      for (
        const [name, message] of [
          ["notes.txt", "is not a JPEG or PNG image"],
          ["empty.png", "is empty"],
          ["huge.png", "is 8000×8000 pixels"],
          ["hidden-size.jpg", "is 10000×10000 pixels"],
          ["dot.png", "is 1×1 pixels: too small"],
        ]
      ) {
        await page.setInputFiles("#try-file", file(name));
        const shown = await outcome(page, name);
        assertEquals([shown.state, shown.image], ["error", name], name);
        assertTrue(shown.error.includes(name) && shown.error.includes(message), shown.error);
        assertEquals(shown.status, `Could not use ${name}: see below.`);
        assertEquals(shown.score, undefined, `${name}: a score is still shown`);
        assertEquals((await resultRows(page)).hidden, true, `${name}: the old result is shown`);
      }
      // a small image is scored, with a warning; a 16-bit PNG scores as the library
      const small = file("small.png"), deep = file("sixteen-bit.png");
      await Deno.writeFile(small, encodePng(48, 40, "grey", 8, (x, y) => (x * y) / 1920));
      await Deno.writeFile(
        deep,
        encodePng(300, 260, "grey", 16, (x, y) => 0.5 + 0.4 * Math.sin(x / 17) * Math.cos(y / 23)),
      );
      await page.setInputFiles("#try-file", small);
      await check(await outcome(page, "small.png"), "small.png", await deno(small));
      const warning = await page.$eval(
        "#try-warning",
        (e) => (e as HTMLElement).hidden ? "" : e.textContent,
      );
      assertTrue(
        warning!.includes(`smaller than the model's ${arm.side}×${arm.side} input`),
        warning!,
      );
      await page.setInputFiles("#try-file", deep);
      await check(await outcome(page, "sixteen-bit.png"), "sixteen-bit.png", await deno(deep));
      assertEquals(await page.$eval("#try-warning", (e) => (e as HTMLElement).hidden), true);

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

      // on a phone the result comes into view, with the keyboard focus, once scored
      const phone = await context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(url);
      await phone.waitForSelector('#try[data-state="ready"]', { timeout: 60_000 });
      await phone.screenshot({
        path: join(SCREENSHOTS, "try-before-upload-390.png"),
        fullPage: true,
      });
      await phone.setInputFiles("#try-file", original);
      await outcome(phone, basename(original));
      await phone.waitForFunction(
        () => {
          const top = document.getElementById("try-output")!.getBoundingClientRect().top;
          return top >= 0 && top < innerHeight / 2;
        },
        null,
        { timeout: 5_000 },
      );
      assertEquals(await phone.evaluate(() => document.activeElement?.id), "try-output");
      await phone.screenshot({
        path: join(SCREENSHOTS, "try-after-upload-390.png"),
        fullPage: true,
      });
      await phone.screenshot({ path: join(SCREENSHOTS, "try-after-upload-390-screen.png") });

      // how the page chose its backend here, and what each backend costs an image (printed)
      await measureBackends(context, url, original);

      assertEquals(outside, [], "requests outside the site");
      assertEquals(await axeAfterUpload(browser, url, join(tryDir, first.file)), []);
      assertEquals(problems.filter((p) => !p.includes("404")), []);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});

// A 120×90 JPEG whose frame header says 10000×10000 and sits behind 320 KiB of metadata.
async function hiddenSizeJpeg(): Promise<Uint8Array> {
  const jpeg = await encodeJpeg(120, 90);
  const segments: number[] = [];
  for (let i = 0; i < 5; i++) segments.push(0xff, 0xe1, 0xff, 0xff, ...new Array(65533));
  const out = new Uint8Array([...jpeg.subarray(0, 2), ...segments, ...jpeg.subarray(2)]);
  for (let i = 2 + segments.length; i < out.length - 9; i++) {
    if (out[i] === 0xff && out[i + 1] >= 0xc0 && out[i + 1] <= 0xc2) {
      out.set([10000 >> 8, 10000 & 0xff, 10000 >> 8, 10000 & 0xff], i + 5);
      return out;
    }
  }
  throw new Error("no frame header in the fixture JPEG");
}

// The backend the page picks on its own (with the probe over every backend, software GPUs
// included), and one image's time on each backend the reader can pick.
async function measureBackends(
  context: Awaited<ReturnType<Browser["newContext"]>>,
  url: string,
  file: string,
): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${url}?probe=all`);
  await page.waitForSelector('#try[data-state="ready"]', { timeout: 120_000 });
  const chosen = await page.$eval("#try", (e) => (e as HTMLElement).dataset);
  const used = await page.$eval("#try-backend-used", (e) => e.textContent);
  console.log(`backend chosen: ${chosen.backend}; ${used}`);
  assertTrue(chosen.backend !== "cpu", `the page fell back to plain JavaScript: ${used}`);
  const times: string[] = [];
  for (const backend of ["wasm", "webgl"]) {
    await page.goto(`${url}?backend=${backend}`);
    await page.waitForSelector('#try[data-state="ready"]', { timeout: 120_000 });
    if ((await page.$eval("#try", (e) => (e as HTMLElement).dataset.backend)) !== backend) continue;
    await page.setInputFiles("#try-file", file);
    await outcome(page, basename(file));
    const ms: number[] = [Number(await page.$eval("#try", (e) => (e as HTMLElement).dataset.ms))];
    // again, with the model loaded and the kernels compiled
    for (let i = 0; i < 2; i++) {
      await page.$eval("#try-file", (e) => ((e as HTMLInputElement).value = ""));
      await page.setInputFiles("#try-file", file);
      await outcome(page, basename(file));
      ms.push(Number(await page.$eval("#try", (e) => (e as HTMLElement).dataset.ms)));
    }
    times.push(`${backend} ${ms.join(", ")} ms`);
  }
  console.log(`one image (first, then warm): ${times.join("; ")}`);
  await page.close();
}
