/**
 * Before the site build: everything the "Try the model" page needs, in `site/public/try/` —
 * the published arms of chapter 3 (DenseNet121, patient split 0: the fine-tuned starts and the
 * frozen-feature heads), each as model.json + shards + card; a gallery of split 0's test images
 * with licences; what the library predicts for each gallery image with each model (score and
 * CAM peak), computed here in Deno from the copied files; and the TF.js wasm binaries. Nothing
 * else: the page fetches only these files.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  camsOf,
  classify,
  type CovidRecord,
  covidStudyData,
  DataMissingError,
  decodeGrey,
  initBackend,
  loadClassifier,
  type ModelCard,
  type ProfileName,
  PROFILES,
  PROJECT_ROOT,
  readCard,
  runInfo,
} from "../../lib/mod.ts";
import {
  type AucWithCi,
  peakCell,
  type TryArm,
  type TryImage,
  type TryManifest,
} from "../src/try/manifest.ts";
import { GALLERY_SIDE, pickGallery, sourceUrl, writeGalleryCopy } from "./gallery.ts";

/** Where the page's files are staged (Astro copies `public/` into the built site). */
export const TRY_DIR: string = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "try");

const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];

/** An arm of chapter 3's results file, as far as the page needs it. */
interface ResultArm {
  key: string;
  arm: string;
  mode: "frozen" | "tuned";
  arch: "densenet121" | "resnet50";
  augment: boolean;
  mean: number;
  lo: number;
  hi: number;
  splits?: { split: number; model?: string }[];
  folds?: { fold: number; repeat: number; model?: string }[];
}

/** Stage the page's files for `profile`; returns the manifest (also written as JSON). */
export async function prepareTryPage(
  profile: string,
  options: { outDir?: string; perClass?: number } = {},
): Promise<TryManifest> {
  const outDir = options.outDir ?? TRY_DIR;
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(join(outDir, "models"), { recursive: true });
  const info = runInfo();
  const empty = (missing: string): TryManifest => ({
    profile,
    scale: "",
    trainImages: 0,
    trainPatients: 0,
    arms: [],
    gallery: [],
    wasmDir: "wasm/",
    commit: info.gitCommit,
    createdAt: new Date().toISOString(),
    missing,
  });
  const resultsFile = join(PROJECT_ROOT, "results", profile, "covid-transfer.json");
  let results: {
    scale: string;
    arms: ResultArm[];
    byView?: { view: string; meanAuc: number }[];
  };
  try {
    results = JSON.parse(await Deno.readTextFile(resultsFile));
  } catch {
    return await writeManifest(
      outDir,
      empty(`chapter 3 has not run at profile "${profile}" here (no ${resultsFile})`),
    );
  }
  const published = results.arms.filter((a) =>
    a.arch === "densenet121" && (a.mode === "frozen" || a.augment)
  );
  const arms: TryArm[] = [];
  const cards: ModelCard[] = [];
  for (const arm of published) {
    const saved = await findModel(arm);
    if (!saved) continue;
    const copied = await copyModel(saved.dir, join(outDir, "models", arm.key), saved.card);
    arms.push(tryArm(arm, saved.card, `models/${arm.key}/`, copied));
    cards.push(saved.card);
  }
  if (!arms.length) {
    return await writeManifest(
      outDir,
      empty(`no saved model of chapter 3 at profile "${profile}" (run the notebooks first)`),
    );
  }
  await copyWasm(join(outDir, "wasm"));
  const gallery = await stageGallery(profile, cards, join(outDir, "gallery"), options.perClass);
  const predicted = gallery.images.length
    ? await predictGallery(outDir, arms, gallery.images)
    : gallery.images;
  const trained = cards[0].data;
  const viewAlone = results.byView?.find((v) => v.view.startsWith("view alone"))?.meanAuc;
  return await writeManifest(outDir, {
    profile,
    scale: results.scale,
    trainImages: trained.train.images + trained.validation.images,
    trainPatients: trained.train.patients + trained.validation.patients,
    ...(viewAlone === undefined ? {} : { viewAlone }),
    arms,
    gallery: predicted,
    wasmDir: "wasm/",
    commit: info.gitCommit,
    createdAt: new Date().toISOString(),
    ...(gallery.missing ? { missing: gallery.missing } : {}),
  });
}

// The split-0 model of an arm and its card (fine-tuned runs keep the kept epoch in best/).
async function findModel(arm: ResultArm): Promise<{ dir: string; card: ModelCard } | undefined> {
  const model = arm.folds?.find((f) => f.fold === 0 && f.repeat === 0)?.model ??
    arm.splits?.find((s) => s.split === 0)?.model;
  if (!model) return undefined;
  for (const dir of [join(PROJECT_ROOT, model), join(PROJECT_ROOT, model, "best")]) {
    try {
      return { dir, card: await readCard(dir) };
    } catch { /* try the next layout */ }
  }
  return undefined;
}

// model.json and its shards, and the card without its list of training images.
async function copyModel(from: string, to: string, card: ModelCard): Promise<number> {
  await Deno.mkdir(to, { recursive: true });
  const json = JSON.parse(await Deno.readTextFile(join(from, "model.json")));
  const files = [
    "model.json",
    ...json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths),
  ];
  let bytes = 0;
  for (const file of files) {
    await Deno.copyFile(join(from, file), join(to, file));
    bytes += (await Deno.stat(join(to, file))).size;
  }
  const { trainedOn: _, ...published } = card;
  await Deno.writeTextFile(join(to, "card.json"), JSON.stringify(published, null, 2) + "\n");
  return bytes;
}

function tryArm(arm: ResultArm, card: ModelCard, dir: string, bytes: number): TryArm {
  const notes = card.notes ?? {};
  const test = notes.test as AucWithCi | undefined;
  if (!test) throw new Error(`${card.name}: its card has no test AUC (re-run chapter 3)`);
  return {
    key: arm.key,
    label: arm.arm,
    mode: arm.mode,
    arch: arm.arch,
    side: card.side,
    dir,
    bytes,
    threshold: (notes.thresholds as number[] | undefined)?.[0] ?? 0.5,
    thresholdRule: (notes.thresholdRule as string | undefined) ?? "0.5 (no threshold saved)",
    test,
    overSplits: {
      mean: arm.mean,
      lo: arm.lo,
      hi: arm.hi,
      splits: arm.folds ? new Set(arm.folds.map((f) => f.fold)).size : arm.splits?.length ?? 0,
    },
    learned: test.ci[0] > 0.5,
  };
}

async function copyWasm(to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  const from = join(PROJECT_ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const file of WASM_FILES) await Deno.copyFile(join(from, file), join(to, file));
}

// Split 0's test images, minus any patient a published model saw (none, unless splits changed).
async function stageGallery(
  profile: string,
  cards: readonly ModelCard[],
  dir: string,
  perClass = 12,
): Promise<{ images: TryImage[]; missing?: string }> {
  let test: CovidRecord[];
  try {
    test = (await covidStudyData(PROFILES[profile as ProfileName])).folds[0].test;
  } catch (e) {
    if (!(e instanceof DataMissingError)) throw e;
    return { images: [], missing: `no gallery: ${e.message}` };
  }
  const seen = new Set(cards.flatMap((c) => c.trainedOn.map((t) => `${t.source}/${t.patientId}`)));
  const unseen = test.filter((r) => !seen.has(`${r.source}/${r.patientId}`));
  await Deno.mkdir(dir, { recursive: true });
  const images: TryImage[] = [];
  for (const [i, record] of pickGallery(unseen, perClass).entries()) {
    const name = `${String(i + 1).padStart(2, "0")}-${record.covid ? "covid" : "other"}.png`;
    const copy = await writeGalleryCopy(record, dir, name);
    images.push({
      file: `gallery/${copy.file}`,
      width: copy.width,
      height: copy.height,
      covid: record.covid,
      finding: record.findingText,
      view: record.view,
      licence: record.license,
      imageId: record.imageId,
      source: sourceUrl(record),
      predictions: {},
    });
  }
  return { images };
}

// What the library says about each gallery copy: `classify`'s score and the CAM's peak cell.
async function predictGallery(
  outDir: string,
  arms: readonly TryArm[],
  images: readonly TryImage[],
): Promise<TryImage[]> {
  await initBackend();
  const files = images.map((im) => join(outDir, im.file));
  const predictions = images.map(() => ({} as Record<string, TryImage["predictions"][string]>));
  for (const arm of arms) {
    const classifier = await loadClassifier(join(outDir, arm.dir));
    try {
      const { results, skipped } = await classify(classifier, files);
      if (skipped.length) throw new Error(`gallery copy unreadable: ${skipped[0].file}`);
      const grey = await Promise.all(files.map((f) => decodeGrey(f, arm.side)));
      const { heat } = await camsOf(classifier.model, arm.arch, grey);
      results.forEach((r, i) => {
        predictions[i][arm.key] = {
          score: r.scores["COVID-19"],
          peak: peakCell(heat[i], arm.side),
        };
      });
    } finally {
      classifier.model.dispose();
    }
  }
  return images.map((im, i) => ({ ...im, predictions: predictions[i] }));
}

async function writeManifest(outDir: string, manifest: TryManifest): Promise<TryManifest> {
  await Deno.writeTextFile(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
  return manifest;
}

if (import.meta.main) {
  const profile = Deno.args[0] ?? Deno.env.get("XRAY_PROFILE") ?? "quick";
  const manifest = await prepareTryPage(profile);
  console.error(
    `try page: ${manifest.arms.length} models, ${manifest.gallery.length} gallery images ` +
      `(≤ ${GALLERY_SIDE} px) in ${basename(TRY_DIR)}/` +
      (manifest.missing ? ` — ${manifest.missing}` : ""),
  );
}
