/**
 * Fault injection on the main job's data step. A loopback server mirrors the sources from the
 * shared data root (a subset of the COVID-19 collection, ChestX-ray14's label file, split lists
 * and an image archive, the DenseNet121 weights, the external collections); the data step runs
 * in a subprocess (`fetch_driver.ts`, the same `runDataStep` as `deno task data`) that a test
 * can kill. Each fault must end in a repaired data root or a stop that names the file and the
 * fix — never in exit 0 with bad data. Every subprocess has a time limit and the server stops
 * with its test. The last test writes the table fault → what the user sees → exit codes → data
 * root afterwards to test-output/fetch-faults.md.
 */
import { basename, join } from "node:path";
import sharp from "sharp";
import { assertEquals, assertTrue } from "../assert.ts";
import { PROJECT_ROOT } from "../../lib/config.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { NIH_LABELS_SOURCE } from "../../lib/data/datasets/nih.ts";
import { ChecksumLedger } from "../../lib/data/checksums.ts";
import { gitBlobId, sha256File } from "../../lib/data/verify.ts";
import type { Pins } from "../../lib/data/fetch.ts";
import { DENSENET_PINS } from "../../lib/data/imagenet_weights.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";
import type { DriverConfig } from "./fetch_driver.ts";
import { serve } from "./mirror_server.ts";

const SHARED_COVID = join(DATA_ROOT, "covid-chestxray");
const SHARED_NIH = join(DATA_ROOT, "nih-chestxray14");
const COVID_IMAGES = 40;
const ARCHIVE_IMAGES = 400;
const DRIVER = join(PROJECT_ROOT, "test", "data", "fetch_driver.ts");
const STEP_TIMEOUT_MS = 120_000;
const COMMAND = "bash scripts/main.sh smoke";

/** The mirror's files and what its sources should hold. */
interface Mirror {
  readonly dir: string;
  readonly routes: Record<string, string>;
  readonly covidPins: Pins;
  readonly actualmedPins: Pins;
  readonly archive: Uint8Array<ArrayBuffer>;
  readonly archived: string[];
  readonly labelsGz: Uint8Array<ArrayBuffer>;
}

let mirror: Promise<Mirror> | undefined;
const table: { fault: string; sees: string; exits: string; after: string }[] = [];
const suiteStarted = performance.now();

function getMirror(): Promise<Mirror> {
  mirror ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "xray-faults-mirror-" });
    const gz = join(dir, "txv", NIH_LABELS_SOURCE.path);
    await Deno.mkdir(join(gz, ".."), { recursive: true });
    await (await Deno.open(join(SHARED_NIH, "Data_Entry_2017_v2020.csv"))).readable
      .pipeThrough(new CompressionStream("gzip"))
      .pipeTo((await Deno.open(gz, { write: true, create: true })).writable);
    await Deno.mkdir(join(dir, "study", "xray_dataset"), { recursive: true });
    for (const list of ["train_val_list.txt", "test_list.txt"]) {
      await Deno.copyFile(join(SHARED_NIH, list), join(dir, "study", "xray_dataset", list));
    }
    const staging = join(dir, "staging");
    await Deno.mkdir(join(staging, "images"), { recursive: true });
    const archived = [...Deno.readDirSync(join(SHARED_NIH, "images"))].map((e) => e.name).sort()
      .slice(0, ARCHIVE_IMAGES);
    for (const n of archived) {
      await Deno.copyFile(join(SHARED_NIH, "images", n), join(staging, "images", n));
    }
    await Deno.mkdir(join(dir, "archives"));
    const tar = await new Deno.Command("tar", {
      args: ["-czf", join(dir, "archives", "images_001.tar.gz"), "-C", staging, "images"],
    }).output();
    assertEquals(tar.success, true);
    const weights = join(DATA_ROOT, "weights", "densenet121-imagenet");
    await Deno.mkdir(join(dir, "gradcam", "models"), { recursive: true });
    await Deno.symlink(weights, join(dir, "gradcam", "models", "DenseNet121"));
    await Deno.copyFile(
      join(weights, "imagenet_classes.json"),
      join(dir, "gradcam", "classes.json"),
    );
    // the shared copy's COVID-19 images were partly re-encoded: pins of what the mirror serves
    const covidPins: Record<string, { sha256: string }> = {
      "metadata.csv": { sha256: await sha256File(join(SHARED_COVID, "metadata.csv")) },
    };
    const images = [...Deno.readDirSync(join(SHARED_COVID, "images"))].map((e) => e.name).sort()
      .slice(0, COVID_IMAGES);
    for (const n of images) {
      covidPins[`images/${n}`] = { sha256: await sha256File(join(SHARED_COVID, "images", n)) };
    }
    // and its Actualmed images are re-encoded: their blob ids as served (the rest upstream's)
    const actualmed = join(DATA_ROOT, "external", "actualmed");
    const actualmedPins: Record<string, { gitBlob: string; bytes: number }> = {};
    for (const path of ["README.md", "metadata.csv"]) {
      const file = join(actualmed, path);
      actualmedPins[path] = { gitBlob: await gitBlobId(file), bytes: Deno.statSync(file).size };
    }
    for (const e of Deno.readDirSync(join(actualmed, "images"))) {
      const file = join(actualmed, "images", e.name);
      actualmedPins[`images/${e.name}`] = {
        gitBlob: await gitBlobId(file),
        bytes: Deno.statSync(file).size,
      };
    }
    return {
      dir,
      routes: {
        "/covid/": SHARED_COVID,
        "/txv/": join(dir, "txv"),
        "/study/": join(dir, "study"),
        "/archives/": join(dir, "archives"),
        "/gradcam/": join(dir, "gradcam"),
        "/figure1/": join(DATA_ROOT, "external", "figure1"),
        "/actualmed/": actualmed,
      },
      covidPins,
      actualmedPins,
      archive: await Deno.readFile(join(dir, "archives", "images_001.tar.gz")),
      archived,
      labelsGz: await Deno.readFile(gz),
    };
  })();
  return mirror;
}

const ARCHIVE_URL = "/archives/images_001.tar.gz";
const LABELS_URL = `/txv/${NIH_LABELS_SOURCE.path}`;

/** What one run of the data step did. */
interface Step {
  readonly code: number;
  readonly text: string;
  readonly killed: boolean;
}

/**
 * Run the data step in a subprocess against `server`; with `killWhen`, kill it (SIGKILL) as soon
 * as the condition holds. Fails the test past STEP_TIMEOUT_MS.
 */
async function runStep(
  root: string,
  server: { base: string },
  needs: string[],
  options: { repair?: boolean; killWhen?: () => Promise<boolean> } = {},
): Promise<Step> {
  const m = await getMirror();
  const config: DriverConfig = {
    root,
    base: server.base,
    needs,
    pins: { "covid-chestxray": m.covidPins, actualmed: m.actualmedPins },
    repair: options.repair,
    command: COMMAND,
  };
  const configFile = join(root, "..", `${basename(root)}-driver.json`);
  await Deno.writeTextFile(configFile, JSON.stringify(config));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", DRIVER, configFile],
    env: {
      XRAY_CACHE_DIR: join(root, "..", `${basename(root)}-cache`),
      XRAY_RESNET50_WEIGHTS: "/not-fetched-in-this-test/model.json",
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  let killed = false;
  const deadline = setTimeout(() => child.kill("SIGKILL"), STEP_TIMEOUT_MS);
  try {
    if (options.killWhen) {
      let done = false;
      output.finally(() => done = true);
      while (!done) {
        if (await options.killWhen()) {
          child.kill("SIGKILL");
          killed = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 3));
      }
    }
    const out = await output;
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    if (!killed && out.signal === "SIGKILL") throw new Error(`the data step ran past its limit`);
    return { code: out.code, text, killed };
  } finally {
    clearTimeout(deadline);
    await Deno.remove(configFile).catch(() => {});
  }
}

function includes(text: string, part: string) {
  if (!text.includes(part)) throw new Error(`"${part}" missing from:\n${text}`);
}

/** The line of the output that mentions `part` (for the table), trimmed. */
function lineWith(text: string, part: string): string {
  const line = text.split("\n").find((l) => l.includes(part));
  if (!line) throw new Error(`no line with "${part}" in:\n${text}`);
  return line.trim();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) out.push(...walk(path));
      else out.push(path);
    }
  } catch { /* absent */ }
  return out;
}

/**
 * Every file of the COVID-19 folder under a final name is one the mirror serves, byte for byte,
 * and recorded in the ledger with its SHA-256. Returns how many.
 */
async function covidVerified(root: string): Promise<number> {
  const m = await getMirror();
  const dir = join(root, "covid-chestxray");
  const ledger = await ChecksumLedger.open(dir);
  let n = 0;
  for (const file of walk(dir)) {
    const rel = file.slice(dir.length + 1);
    if (rel === "checksums.sha256" || rel.startsWith("set-aside/") || rel.endsWith(".part")) {
      continue;
    }
    const pin = m.covidPins[rel];
    assertTrue(pin !== undefined, `unexpected file ${rel}`);
    const sha = await sha256File(file);
    assertEquals(sha, pin.sha256, `${rel} differs from the mirror`);
    assertEquals(ledger.get(rel), sha, `${rel} is not recorded`);
    n++;
  }
  ledger.close();
  return n;
}

/** ChestX-ray14's folder holds exactly the archive's images, byte for byte, and its stamp. */
async function nihImagesVerified(root: string): Promise<number> {
  const m = await getMirror();
  const images = join(root, "nih-chestxray14", "images");
  const names = [...Deno.readDirSync(images)].map((e) => e.name).sort();
  assertEquals(names, m.archived);
  for (const n of names) {
    assertEquals(
      await Deno.readFile(join(images, n)),
      await Deno.readFile(join(SHARED_NIH, "images", n)),
      `${n} differs from the archive`,
    );
  }
  const stamp = await Deno.readTextFile(
    join(root, "nih-chestxray14", ".extracted-images_001.tar.gz"),
  );
  assertEquals(stamp.trim().split("\n").length, ARCHIVE_IMAGES + 1); // header + one per image
  return names.length;
}

/** No staging folder, no archive and no partial file left behind. */
function noLeftovers(root: string) {
  const dir = join(root, "nih-chestxray14");
  const left = walk(dir).filter((f) =>
    !f.includes("/set-aside/") &&
    (f.includes(".extracting-") || f.includes("/archives/") || f.endsWith(".part"))
  );
  assertEquals(left, []);
}

function seconds(): string {
  return `${((performance.now() - suiteStarted) / 1000).toFixed(1)} s`;
}

Deno.test({
  name: "fault: a truncated archive served as a complete response is set aside, then fetched",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    {
      await using bad = serve(m.routes, new Set(), new Map(), {
        replace: new Map([[ARCHIVE_URL, m.archive.slice(0, Math.floor(m.archive.length * 0.6))]]),
      });
      const first = await runStep(root, bad, ["nih-chestxray14"]);
      assertEquals(first.code, 1, first.text);
      includes(first.text, "ends early");
      includes(first.text, "set-aside/archives/images_001.tar.gz.rejected");
      // nothing under a final name: no image, no stamp, no archive
      assertEquals(walk(join(root, "nih-chestxray14", "images")), []);
      noLeftovers(root);
      table.push({
        fault: "truncated archive served as a complete response",
        sees: lineWith(first.text, "ends early"),
        exits: "1, then 0",
        after: "",
      });
    }
    await using good = serve(m.routes);
    const second = await runStep(root, good, ["nih-chestxray14"]);
    assertEquals(second.code, 0, second.text);
    const n = await nihImagesVerified(root);
    noLeftovers(root);
    table.at(-1)!.after = `next run against a good mirror: ${n} images, each recorded in the ` +
      "stamp; the bad bytes kept in set-aside/";
  },
});

Deno.test({
  name:
    "real data: fault: a truncated image and a truncated label file served as complete responses",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const image = Object.keys(m.covidPins).find((p) => p.startsWith("images/"))!;
    const bytes = await Deno.readFile(join(SHARED_COVID, image));
    {
      await using bad = serve(m.routes, new Set(), new Map(), {
        replace: new Map([
          [`/covid/${image}`, bytes.slice(0, 3584)],
          [LABELS_URL, m.labelsGz.slice(0, Math.floor(m.labelsGz.length / 2))],
        ]),
      });
      const first = await runStep(root, bad, ["covid-chestxray", "nih-chestxray14"]);
      assertEquals(first.code, 1, first.text);
      includes(first.text, "Data_Entry_2017_v2020.csv");
      includes(first.text, "not a complete gzip file");
      // the optional image is named in the summary; the required label file stops the run
      includes(first.text, "did not match its pin");
      includes(first.text, basename(image));
      await assertMissing(join(root, "covid-chestxray", image));
      await assertMissing(join(root, "nih-chestxray14", "Data_Entry_2017_v2020.csv"));
      table.push({
        fault: "truncated label file (.gz) served as a complete response",
        sees: lineWith(first.text, "not a complete gzip file"),
        exits: "1, then 0",
        after: "",
      });
      table.push({
        fault: "truncated image served as a complete response (optional file)",
        sees: lineWith(first.text, basename(image)),
        exits: "1 (the label file's fault), then 0",
        after: "",
      });
    }
    await using good = serve(m.routes);
    const second = await runStep(root, good, ["covid-chestxray", "nih-chestxray14"]);
    assertEquals(second.code, 0, second.text);
    assertEquals(await covidVerified(root), Object.keys(m.covidPins).length);
    assertEquals(
      await sha256File(join(root, "nih-chestxray14", "Data_Entry_2017_v2020.csv")),
      await sha256File(join(SHARED_NIH, "Data_Entry_2017_v2020.csv")),
    );
    // the bad .gz from the first run was set aside, so the second asked the server again
    assertEquals(good.requests.filter((r) => r.path === LABELS_URL).length, 1);
    table.at(-2)!.after = "next run: fetched again and matches its pin; bad bytes in set-aside/";
    table.at(-1)!.after = "image absent (the loader reports it) until the next run fetches it";
  },
});

Deno.test({
  name: "fault: a web page served instead of the gzip archive and label file",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const html = new TextEncoder().encode(
      "<!DOCTYPE html><html><body>Sign in to continue</body></html>\n",
    );
    {
      await using bad = serve(m.routes, new Set(), new Map(), {
        replace: new Map([[ARCHIVE_URL, html], [LABELS_URL, html]]),
      });
      const first = await runStep(root, bad, ["nih-chestxray14"]);
      assertEquals(first.code, 1, first.text);
      includes(first.text, "a server may have sent a web page instead");
      includes(first.text, "Data_Entry_2017_v2020.csv");
      await assertMissing(join(root, "nih-chestxray14", "archives", "images_001.tar.gz"));
      await assertMissing(join(root, "nih-chestxray14", "Data_Entry_2017_v2020.csv"));
      table.push({
        fault: "HTML page instead of the gzip archive (and label file)",
        sees: lineWith(first.text, "web page instead"),
        exits: "1, then 0",
        after: "",
      });
    }
    await using good = serve(m.routes);
    const second = await runStep(root, good, ["nih-chestxray14"]);
    assertEquals(second.code, 0, second.text);
    await nihImagesVerified(root);
    noLeftovers(root);
    table.at(-1)!.after = "next run: both fetched again and verified; the pages in set-aside/";
  },
});

Deno.test({
  name: "fault: a connection cut mid-file resumes; one cut every time is kept and resumed later",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const images = Object.keys(m.covidPins).filter((p) => p.startsWith("images/"));
    const [once, always] = [`/covid/${images[1]}`, `/covid/${images[2]}`];
    {
      await using flaky = serve(m.routes, new Set(), new Map(), {
        cutOnce: new Set([once, ARCHIVE_URL]),
        cutAlways: new Set([always]),
      });
      const first = await runStep(root, flaky, ["covid-chestxray", "nih-chestxray14"]);
      assertEquals(first.code, 0, first.text);
      for (const path of [once, ARCHIVE_URL]) {
        const asked = flaky.requests.filter((r) => r.path === path);
        assertEquals(asked.length, 2);
        assertTrue(/^bytes=[1-9]\d*-$/.test(asked[1].range ?? ""), `${path} did not resume`);
      }
      await nihImagesVerified(root);
      // the file cut every time: named among the optional files, its partial bytes kept
      includes(first.text, basename(always));
      await Deno.stat(join(root, "covid-chestxray", `${images[2]}.part`));
      await assertMissing(join(root, "covid-chestxray", images[2]));
      table.push({
        fault: "connection cut mid-file (once; and on every try)",
        sees: lineWith(first.text, basename(always)),
        exits: "0 (resumed with Range), and 0 with the file listed",
        after: "",
      });
    }
    await using good = serve(m.routes);
    const second = await runStep(root, good, ["covid-chestxray"]);
    assertEquals(second.code, 0, second.text);
    const resumed = good.requests.find((r) => r.path === always);
    assertTrue(/^bytes=[1-9]\d*-$/.test(resumed?.range ?? ""), "the partial file was not resumed");
    assertEquals(await covidVerified(root), Object.keys(m.covidPins).length);
    table.at(-1)!.after = "all verified; the file cut every time resumed from its .part next run";
  },
});

Deno.test({
  name: "fault: kill -9 mid-batch leaves no file under a final name without its checksum line",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const ledger = join(root, "covid-chestxray", "checksums.sha256");
    {
      await using slow = serve(m.routes, new Set(), new Map(), { delayMs: 120 });
      const first = await runStep(root, slow, ["covid-chestxray"], {
        killWhen: async () => {
          try {
            return (await Deno.readTextFile(ledger)).split("\n").length > 8;
          } catch {
            return false;
          }
        },
      });
      assertTrue(first.killed, `the run ended before it could be killed:\n${first.text}`);
    }
    const finals = await covidVerified(root); // every final name recorded and matching
    assertTrue(finals > 0 && finals < Object.keys(m.covidPins).length, `${finals} final files`);
    await using good = serve(m.routes);
    const second = await runStep(root, good, ["covid-chestxray"]);
    assertEquals(second.code, 0, second.text);
    assertEquals(await covidVerified(root), Object.keys(m.covidPins).length);
    // the files finished before the kill were not fetched again
    assertTrue(good.requests.length <= Object.keys(m.covidPins).length - finals + 4);
    table.push({
      fault: "kill -9 mid-batch (subprocess)",
      sees: `(killed) then: ${lineWith(second.text, "Fetched")}`,
      exits: "killed, then 0",
      after: `${finals} files had final names at the kill, each recorded and matching; the next ` +
        "run fetched only the rest",
    });
  },
});

Deno.test({
  name: "fault: kill -9 mid-extraction: the next run finishes from the staging folder or afresh",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const staging = join(root, "nih-chestxray14", ".extracting-images_001.tar.gz");
    await using good = serve(m.routes);
    const first = await runStep(root, good, ["nih-chestxray14"], {
      killWhen: async () => {
        try {
          await Deno.stat(staging);
          return true;
        } catch {
          return false;
        }
      },
    });
    assertTrue(first.killed, `the run ended before it could be killed:\n${first.text}`);
    await new Promise((r) => setTimeout(r, 200));
    await assertMissing(join(root, "nih-chestxray14", ".extracted-images_001.tar.gz"));
    // nothing reached images/ before the staging folder was complete
    const early = walk(join(root, "nih-chestxray14", "images")).length;
    const plan = await runStep(root, good, ["nih-chestxray14"]);
    assertEquals(plan.code, 0, plan.text);
    await nihImagesVerified(root);
    noLeftovers(root);
    table.push({
      fault: "kill -9 mid-extraction (subprocess)",
      sees: lineWith(plan.text, "image archive 1 of 12:"),
      exits: "killed, then 0",
      after: `${early} images in images/ at the kill; next run: all ${ARCHIVE_IMAGES} verified, ` +
        "stamp written last, no staging folder or archive left",
    });
  },
});

Deno.test({
  name:
    "real data: fault: a root an earlier version left half-extracted stops the run; --repair repairs it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const nih = join(root, "nih-chestxray14");
    // what the earlier version left: the truncated archive under its final name and the images
    // tar got out of it before failing, the last one cut short, no stamp
    await Deno.mkdir(join(nih, "archives"), { recursive: true });
    await Deno.mkdir(join(nih, "images"));
    await Deno.writeFile(join(nih, "archives", "images_001.tar.gz"), m.archive.slice(0, 50_000));
    const cut = m.archived[19];
    for (const n of m.archived.slice(0, 20)) {
      const bytes = await Deno.readFile(join(SHARED_NIH, "images", n));
      await Deno.writeFile(join(nih, "images", n), n === cut ? bytes.slice(0, 3584) : bytes);
    }
    await using good = serve(m.routes);
    const first = await runStep(root, good, ["nih-chestxray14"]);
    assertEquals(first.code, 1, first.text);
    includes(first.text, "come from no verified archive");
    includes(first.text, `${COMMAND} --repair`);
    assertEquals((await Deno.stat(join(nih, "images", cut))).size, 3584); // untouched
    const second = await runStep(root, good, ["nih-chestxray14"], { repair: true });
    assertEquals(second.code, 0, second.text);
    await nihImagesVerified(root);
    noLeftovers(root);
    assertEquals(
      (await Deno.stat(join(nih, "set-aside", "images", `${cut}.unverified`))).size,
      3584,
    );
    table.push({
      fault: "root left half-extracted by an earlier version (issue 21, point 1)",
      sees: lineWith(first.text, "come from no verified archive"),
      exits: "1, then 0 with --repair",
      after: "the cut image set aside, all images from the verified archive, stamp written",
    });
  },
});

Deno.test({
  name: "fault: an image of a verified archive cut short stops the run; --repair re-extracts it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    await using good = serve(m.routes);
    assertEquals((await runStep(root, good, ["nih-chestxray14"])).code, 0);
    const images = join(root, "nih-chestxray14", "images");
    const [cut, swapped] = [join(images, m.archived[5]), join(images, m.archived[6])];
    await Deno.writeFile(cut, (await Deno.readFile(cut)).slice(0, 1000));
    // same size, other bytes: every run checks sizes; --repair checks each SHA-256 too
    await Deno.writeFile(swapped, randomBytes((await Deno.stat(swapped)).size));
    const stop = await runStep(root, good, ["nih-chestxray14"]);
    assertEquals(stop.code, 1, stop.text);
    includes(stop.text, `${cut} (required): has 1000 bytes`);
    const repaired = await runStep(root, good, ["nih-chestxray14"], { repair: true });
    assertEquals(repaired.code, 0, repaired.text);
    includes(repaired.text, `${swapped}`);
    await nihImagesVerified(root);
    noLeftovers(root);
    table.push({
      fault: "image of a verified archive cut short (and one replaced, same size)",
      sees: lineWith(stop.text, "has 1000 bytes"),
      exits: "1, then 0 with --repair",
      after: "--repair hashed every image against the stamp, set both aside, fetched and " +
        "re-extracted the archive: all images verified",
    });
  },
});

Deno.test({
  name: "fault: a same-size garbage weight shard stops the run (fetched root and copy)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    await using good = serve(m.routes);
    const first = await runStep(root, good, ["weights"]);
    assertEquals(first.code, 0, first.text);
    const shardPath = Object.keys(DENSENET_PINS).find((p) => p.includes("shard"))!;
    const shard = join(root, "weights", "densenet121-imagenet", basename(shardPath));
    const size = (await Deno.stat(shard)).size;
    await Deno.writeFile(shard, randomBytes(size));
    const second = await runStep(root, good, ["weights"]);
    assertEquals(second.code, 1, second.text);
    includes(second.text, `${shard} (required)`);
    includes(second.text, `${COMMAND} --repair`);
    const third = await runStep(root, good, ["weights"], { repair: true });
    assertEquals(third.code, 0, third.text);
    const pin = DENSENET_PINS[shardPath as keyof typeof DENSENET_PINS] as { sha256: string };
    assertEquals(await sha256File(shard), pin.sha256);
    await Deno.stat(
      join(root, "weights", "densenet121-imagenet", "set-aside", `${basename(shard)}.corrupt`),
    );
    // an existing copy (no ledger) is held to the pins of its required files all the same
    const copy = join(tmp.path, "copy");
    const weights = join(copy, "weights", "densenet121-imagenet");
    await Deno.mkdir(weights, { recursive: true });
    for (const e of Deno.readDirSync(join(root, "weights", "densenet121-imagenet"))) {
      if (!e.isFile || e.name === "checksums.sha256") continue;
      await Deno.copyFile(
        join(root, "weights", "densenet121-imagenet", e.name),
        join(weights, e.name),
      );
    }
    await Deno.writeFile(join(weights, basename(shard)), new Uint8Array(size));
    const fourth = await runStep(copy, good, ["weights"]);
    assertEquals(fourth.code, 1, fourth.text);
    includes(fourth.text, `${join(weights, basename(shard))} (required)`);
    table.push({
      fault: "same-size garbage DenseNet121 shard (fetched root; copy)",
      sees: lineWith(second.text, "(required)"),
      exits: "1, then 0 with --repair; 1 in a copy",
      after: "--repair: the shard set aside as .corrupt, fetched again, matches its pin",
    });
  },
});

Deno.test({
  name:
    "real data: fault: a re-encoded image — fetched root stops, a copy keeps it, a mirror's is refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    const image = Object.keys(m.covidPins).filter((p) => p.endsWith(".jpg"))[3];
    const original = await Deno.readFile(join(SHARED_COVID, image));
    const reencoded = new Uint8Array(await sharp(original).jpeg({ quality: 40 }).toBuffer());
    await using good = serve(m.routes);
    // (a) in a root this project fetched: the recorded checksum no longer matches
    assertEquals((await runStep(root, good, ["covid-chestxray"])).code, 0);
    await Deno.writeFile(join(root, "covid-chestxray", image), reencoded);
    const stop = await runStep(root, good, ["covid-chestxray"]);
    assertEquals(stop.code, 1, stop.text);
    includes(stop.text, "no longer matches the checksum recorded");
    const repaired = await runStep(root, good, ["covid-chestxray"], { repair: true });
    assertEquals(repaired.code, 0, repaired.text);
    assertEquals(await covidVerified(root), Object.keys(m.covidPins).length);
    // (b) in an existing copy (no ledger): the copy's own version, used as it is
    const copy = join(tmp.path, "copy");
    await Deno.mkdir(join(copy, "covid-chestxray", "images"), { recursive: true });
    for (const path of Object.keys(m.covidPins)) {
      await Deno.copyFile(join(SHARED_COVID, path), join(copy, "covid-chestxray", path));
    }
    await Deno.writeFile(join(copy, "covid-chestxray", image), reencoded);
    const asCopy = await runStep(copy, good, ["covid-chestxray"]);
    assertEquals(asCopy.code, 0, asCopy.text);
    includes(asCopy.text, "existing copy");
    assertEquals(await Deno.readFile(join(copy, "covid-chestxray", image)), reencoded);
    // (c) a mirror serving it: refused, named, and absent — not used
    const fresh = join(tmp.path, "fresh");
    {
      await using bad = serve(m.routes, new Set(), new Map([[`/covid/${image}`, reencoded]]));
      const served = await runStep(fresh, bad, ["covid-chestxray"]);
      assertEquals(served.code, 0, served.text);
      includes(served.text, "did not match its pin");
      await assertMissing(join(fresh, "covid-chestxray", image));
      table.push({
        fault: "re-encoded image (in a fetched root; in a copy; served by a mirror)",
        sees: lineWith(stop.text, "no longer matches"),
        exits: "1, then 0 with --repair; 0 in a copy; 0 from a mirror (listed)",
        after: "repaired to the pinned bytes; a copy's own version kept; a mirror's refused " +
          "and kept in set-aside/, the image absent",
      });
    }
  },
});

Deno.test({
  name: "fault: a garbage file without a checksum line in a fetched folder is caught",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const root = join(tmp.path, "root");
    await using good = serve(m.routes);
    assertEquals((await runStep(root, good, ["covid-chestxray"])).code, 0);
    // an earlier version recorded checksums only at the end of a batch: files without a line
    const dir = join(root, "covid-chestxray");
    const images = Object.keys(m.covidPins).filter((p) => p.startsWith("images/"));
    const kept = new Set(images.slice(0, 10));
    const lines = (await Deno.readTextFile(join(dir, "checksums.sha256"))).split("\n")
      .filter((l) => [...kept].some((k) => l.endsWith(`  ${k}`)));
    await Deno.writeTextFile(join(dir, "checksums.sha256"), lines.join("\n") + "\n");
    const garbage = images[20];
    const size = (await Deno.stat(join(dir, garbage))).size;
    await Deno.writeFile(join(dir, garbage), randomBytes(size));
    const stop = await runStep(root, good, ["covid-chestxray"]);
    assertEquals(stop.code, 1, stop.text);
    includes(stop.text, "without a recorded checksum");
    includes(stop.text, `${join(dir, garbage)}: has no recorded checksum`);
    const repaired = await runStep(root, good, ["covid-chestxray"], { repair: true });
    assertEquals(repaired.code, 0, repaired.text);
    assertEquals(await covidVerified(root), Object.keys(m.covidPins).length);
    table.push({
      fault: "garbage among files an earlier run left without checksum lines",
      sees: lineWith(stop.text, "has no recorded checksum"),
      exits: "1, then 0 with --repair",
      after: "the others checked against their pins and recorded; the garbage set aside, " +
        "fetched again",
    });
  },
});

Deno.test({
  name:
    "real data: fault: a hostile folder column — a mirror's metadata is refused, a copy's row skipped",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const m = await getMirror();
    await using tmp = await tempDir();
    const text = await Deno.readTextFile(join(SHARED_COVID, "metadata.csv"));
    const [header, ...rows] = text.split("\n");
    const cols = header.split(",");
    const row = cols.map((c) =>
      ({
        patientid: "999",
        finding: "COVID-19",
        view: "PA",
        modality: "X-ray",
        folder: "../../../../../../etc",
        filename: "passwd",
      })[c] ?? ""
    ).join(",");
    const hostile = [header, row, ...rows].join("\n");
    // (a) served by a mirror: metadata.csv is required and pinned, so the run stops
    const root = join(tmp.path, "root");
    {
      await using bad = serve(
        m.routes,
        new Set(),
        new Map([["/covid/metadata.csv", new TextEncoder().encode(hostile)]]),
      );
      const stop = await runStep(root, bad, ["covid-chestxray"]);
      assertEquals(stop.code, 1, stop.text);
      includes(stop.text, "metadata.csv");
      await assertMissing(join(root, "covid-chestxray", "metadata.csv"));
      table.push({
        fault: "hostile `folder` column (served by a mirror; in a copy)",
        sees: lineWith(stop.text, "metadata.csv:"),
        exits: "1 (mirror); the loader skips the row in a copy",
        after: "",
      });
    }
    // (b) in a copy: the loader skips the row as unsafe-path, opens nothing, claims nothing
    const copy = join(tmp.path, "copy", "covid-chestxray");
    await Deno.mkdir(join(copy, "images"), { recursive: true });
    await Deno.writeTextFile(join(copy, "metadata.csv"), hostile);
    const data = await loadCovid({ dir: copy });
    const skip = data.skipped.find((s) => s.patientId === "999")!;
    assertEquals(skip.reason, "unsafe-path");
    assertTrue(!skip.detail.includes("/etc/passwd"), skip.detail);
    assertTrue(!skip.detail.includes("not on disk"), skip.detail);
    table.at(-1)!.after = `no file written (mirror); skip "${skip.reason}: ${skip.detail}"`;
  },
});

Deno.test({
  name: "fault suite: the table of what each fault ends in",
  fn() {
    const lines = [
      "| fault | what the user sees | exit codes | data root afterwards |",
      "| --- | --- | --- | --- |",
      ...table.map((r) =>
        `| ${r.fault} | ${r.sees.replaceAll("|", "\\|")} | ${r.exits} | ${r.after} |`
      ),
      "",
      `Suite time: ${seconds()} (${table.length} rows).`,
    ];
    Deno.mkdirSync(join(PROJECT_ROOT, "test-output"), { recursive: true });
    Deno.writeTextFileSync(
      join(PROJECT_ROOT, "test-output", "fetch-faults.md"),
      lines.join("\n") + "\n",
    );
    assertTrue(table.length >= 13, `${table.length} rows`);
  },
});

Deno.test({
  name: "fault suite: the mirror is removed",
  async fn() {
    if (mirror) await Deno.remove((await mirror).dir, { recursive: true });
  },
});

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

async function assertMissing(path: string) {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(`${path} should not exist`);
}
