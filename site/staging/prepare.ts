/**
 * Before the site build: everything the "Try the model" page needs, in `site/public/try/` —
 * the published arms of chapter 3 (DenseNet121: the fine-tuned starts and the frozen-feature
 * heads, each as the model of its first fold and repeat, or of split 0 in older results), each
 * as model.json + shards + card; which arm the page starts with (chapter 3's primary
 * comparison's ChestX-ray14 start, never a choice made on test AUC); a gallery of the test
 * images of those models' fold, with licences; what the library predicts for each gallery image
 * with each model, on the copy and on the original; and the TF.js wasm binaries. Nothing else:
 * the page fetches only these files.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  assertNoLeakage,
  camsOf,
  classify,
  type CovidRecord,
  covidStudyData,
  DataMissingError,
  decodeGrey,
  excludeTrainingPatients,
  initBackend,
  loadClassifier,
  type ModelCard,
  type ProfileName,
  PROFILES,
  PROJECT_ROOT,
  readCard,
  runInfo,
  trainedRecords,
} from "../../lib/mod.ts";
import {
  type AucWithCi,
  peakCell,
  type TryArm,
  type TryImage,
  type TryManifest,
  type TryPrediction,
} from "../src/browser/manifest.ts";
import { GALLERY_SIDE, pickGallery, sourceUrl, writeGalleryCopy } from "./gallery.ts";

/** Where the page's files are staged (Astro copies `public/` into the built site). */
export const TRY_DIR: string = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "try");

const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];

/**
 * An arm of chapter 3's results file, as far as the page needs it. Runs come as patient
 * folds (each repeated with other seeds) or, in older results, as patient splits.
 */
export interface ResultArm {
  readonly key: string;
  readonly arm: string;
  /** "tuned" in results written before the mode was spelled out. */
  readonly mode: "frozen" | "fine-tuned" | "tuned";
  readonly start?: string;
  readonly arch: "densenet121" | "resnet50";
  readonly augment: boolean;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  /** Chapter 3's "did it learn?" verdict for the arm. */
  readonly learned?: boolean;
  readonly splits?: readonly { split: number; model?: string }[];
  readonly folds?: readonly { fold: number; repeat?: number; model?: string }[];
}

/** What the page reads of chapter 3's results file. */
export interface TransferResults {
  readonly scale: string;
  readonly arms: readonly ResultArm[];
  /** The primary comparison, named before any result: a = the ChestX-ray14 start. */
  readonly primary?: { readonly a: string; readonly b: string };
  readonly byView?: readonly { view: string; meanAuc: number }[];
}

/** The arms the page publishes: DenseNet121's frozen heads and fine-tuned (augmented) arms. */
export function publishedArms(results: TransferResults): ResultArm[] {
  const primary = [results.primary?.a, results.primary?.b];
  return results.arms.filter((a) =>
    primary.includes(a.key) ||
    (a.arch === "densenet121" && (a.mode === "frozen" || a.augment))
  );
}

/**
 * The arm the page starts with, and why: the primary comparison's ChestX-ray14 start; in
 * results that do not name one, the fine-tuned, augmented arm started from ChestX-ray14.
 * Undefined when neither was published. Test AUCs play no part.
 */
export function defaultArm(
  results: TransferResults,
  published: readonly { key: string }[],
): { key: string; reason: string } | undefined {
  const has = (key?: string) => key !== undefined && published.some((p) => p.key === key);
  if (has(results.primary?.a)) {
    return {
      key: results.primary!.a,
      reason: "chapter 3's primary comparison, ChestX-ray14 start",
    };
  }
  const fallback = results.arms.find((a) =>
    a.start === "nih" && (a.mode === "fine-tuned" || a.mode === "tuned") && a.augment &&
    has(a.key)
  );
  return fallback && {
    key: fallback.key,
    reason: "the fine-tuned arm started from ChestX-ray14, the study's primary arm",
  };
}

/** The first run of an arm: fold 0, repeat 0 — or split 0 — with its model folder. */
export function firstRun(
  arm: ResultArm,
): { model?: string; run: string; runs: number; unit: string } | undefined {
  if (arm.folds) {
    const run = arm.folds.find((f) => f.fold === 0 && (f.repeat ?? 0) === 0);
    const folds = new Set(arm.folds.map((f) => f.fold)).size;
    const repeats = new Set(arm.folds.map((f) => f.repeat ?? 0)).size;
    return run && {
      model: run.model,
      run: "fold 0, repeat 0",
      runs: arm.folds.length,
      unit: repeats > 1 ? `runs (${folds} folds × ${repeats} repeats)` : "folds",
    };
  }
  const run = arm.splits?.find((s) => s.split === 0);
  return run && { model: run.model, run: "split 0", runs: arm.splits!.length, unit: "splits" };
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
  let results: TransferResults;
  try {
    results = JSON.parse(await Deno.readTextFile(resultsFile));
  } catch {
    return await writeManifest(
      outDir,
      empty(`chapter 3 has not run at profile "${profile}" here (no ${resultsFile})`),
    );
  }
  const arms: TryArm[] = [];
  const cards: ModelCard[] = [];
  for (const arm of publishedArms(results)) {
    const run = firstRun(arm);
    const saved = run?.model ? await findModel(run.model) : undefined;
    if (!run || !saved) continue;
    const copied = await copyModel(saved.dir, join(outDir, "models", arm.key), saved.card);
    arms.push(tryArm(arm, run, saved.card, `models/${arm.key}/`, copied));
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
    ? await predictGallery(outDir, arms, gallery.images, gallery.originals)
    : gallery.images;
  const trained = cards[0].data;
  const viewAlone = results.byView?.find((v) => v.view.startsWith("view alone"))?.meanAuc;
  const start = defaultArm(results, arms);
  return await writeManifest(outDir, {
    profile,
    scale: results.scale,
    trainImages: trained.train.images + trained.validation.images,
    trainPatients: trained.train.patients + trained.validation.patients,
    ...(viewAlone === undefined ? {} : { viewAlone }),
    arms,
    ...(start ? { defaultArm: start.key, defaultReason: start.reason } : {}),
    gallery: predicted,
    wasmDir: "wasm/",
    commit: info.gitCommit,
    createdAt: new Date().toISOString(),
    ...(gallery.missing ? { missing: gallery.missing } : {}),
  });
}

// A model folder and its card (fine-tuned runs keep the kept epoch in best/).
async function findModel(model: string): Promise<{ dir: string; card: ModelCard } | undefined> {
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

function tryArm(
  arm: ResultArm,
  run: NonNullable<ReturnType<typeof firstRun>>,
  card: ModelCard,
  dir: string,
  bytes: number,
): TryArm {
  const notes = card.notes ?? {};
  const test = notes.test as AucWithCi | undefined;
  if (!test) throw new Error(`${card.name}: its card has no test AUC (re-run chapter 3)`);
  return {
    key: arm.key,
    label: arm.arm,
    mode: arm.mode === "frozen" ? "frozen" : "fine-tuned",
    start: arm.start ?? "",
    arch: arm.arch,
    side: card.side,
    dir,
    bytes,
    threshold: (notes.thresholds as number[] | undefined)?.[0] ?? 0.5,
    thresholdRule: (notes.thresholdRule as string | undefined) ?? "0.5 (no threshold saved)",
    run: run.run,
    test,
    overRuns: { mean: arm.mean, lo: arm.lo, hi: arm.hi, runs: run.runs, unit: run.unit },
    // chapter 3's verdict; older results carry none: the arm's interval must lie above 0.5
    learned: arm.learned ?? arm.lo > 0.5,
  };
}

async function copyWasm(to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  const from = join(PROJECT_ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const file of WASM_FILES) await Deno.copyFile(join(from, file), join(to, file));
}

// The images none of the published models trained or validated on — their fold's test set —
// from which a few with shareable licences are copied.
async function stageGallery(
  profile: string,
  cards: readonly ModelCard[],
  dir: string,
  perClass = 12,
): Promise<{ images: TryImage[]; originals: string[]; missing?: string }> {
  let records: CovidRecord[];
  try {
    records = (await covidStudyData(PROFILES[profile as ProfileName])).records;
  } catch (e) {
    if (!(e instanceof DataMissingError)) throw e;
    return { images: [], originals: [], missing: `no gallery: ${e.message}` };
  }
  const trained = cards.flatMap(trainedRecords);
  const unseen = excludeTrainingPatients(records, trained);
  const picked = pickGallery(unseen, perClass);
  // the leakage guard, on exactly what is published
  assertNoLeakage(trained, picked, "try-it page gallery");
  await Deno.mkdir(dir, { recursive: true });
  const images: TryImage[] = [];
  for (const [i, record] of picked.entries()) {
    const name = `${String(i + 1).padStart(2, "0")}-${record.covid ? "covid" : "other"}.png`;
    const copy = await writeGalleryCopy(record, dir, name);
    images.push({
      file: `gallery/${copy.file}`,
      width: copy.width,
      height: copy.height,
      original: copy.original,
      covid: record.covid,
      finding: record.findingText,
      view: record.view,
      licence: record.license,
      imageId: record.imageId,
      source: sourceUrl(record),
      predictions: {},
      originalPredictions: {},
    });
  }
  return { images, originals: picked.map((r) => r.path) };
}

// What the library says about each gallery image — `classify`'s score and the CAM's peak
// cell — on the published copy (the page's input) and on the original file.
async function predictGallery(
  outDir: string,
  arms: readonly TryArm[],
  images: readonly TryImage[],
  originals: readonly string[],
): Promise<TryImage[]> {
  await initBackend();
  const copies = images.map((im) => join(outDir, im.file));
  const onCopy = images.map(() => ({} as Record<string, TryPrediction>));
  const onOriginal = images.map(() => ({} as Record<string, TryPrediction>));
  for (const arm of arms) {
    const classifier = await loadClassifier(join(outDir, arm.dir));
    try {
      for (const [files, into] of [[copies, onCopy], [originals, onOriginal]] as const) {
        const { results, skipped } = await classify(classifier, [...files]);
        if (skipped.length) throw new Error(`gallery image unreadable: ${skipped[0].file}`);
        const grey = await Promise.all(files.map((f) => decodeGrey(f, arm.side)));
        const { heat } = await camsOf(classifier.model, arm.arch, grey);
        results.forEach((r, i) => {
          into[i][arm.key] = { score: r.scores["COVID-19"], peak: peakCell(heat[i], arm.side) };
        });
      }
    } finally {
      classifier.model.dispose();
    }
  }
  return images.map((im, i) => ({
    ...im,
    predictions: onCopy[i],
    originalPredictions: onOriginal[i],
  }));
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
