/**
 * Settings shared by every notebook and script: where the data lives and how big a run is.
 *
 * Everything is read from the environment so that one setting changes a whole run:
 * - `XRAY_DATA_DIR`: the data root (default `./data` in the project). Relative paths are
 *   resolved against the project root, so notebooks (which run in `notebooks/`) and scripts
 *   (which run in the project root) see the same folder.
 * - `XRAY_PROFILE`: `smoke`, `quick` (default) or `paper`.
 * - `XRAY_CACHE_DIR`: downloaded weights, feature caches, checkpoints (default `./.cache`).
 * @module
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder (the one holding `deno.json`). */
export const PROJECT_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Names of the run profiles: same code path, different sizes. */
export type ProfileName = "smoke" | "quick" | "paper";

/** Sizes of a run. Every long job reads its sizes from here, never from literals. */
export interface Profile {
  readonly name: ProfileName;
  /**
   * Side of the square model input, in pixels, everywhere: training on ChestX-ray14, frozen
   * features, fine-tuning and class activation maps (side/32 cells a side). One side, so that a
   * backbone is always used at the side it was trained at. Images stored smaller than this
   * are not used (never upsampled into training or evaluation).
   */
  readonly imageSide: number;
  /** Upper bound on COVID-19 collection images used (after filtering); `Infinity` = all. */
  readonly maxCovidImages: number;
  /** Upper bound on NIH ChestX-ray14 images used; `Infinity` = all present. */
  readonly maxNihImages: number;
  /** ChestX-ray14 image archives (of 12, ~5,000 images each) a fresh data root downloads. */
  readonly nihArchives: number;
  /** Epochs for training whole networks on ChestX-ray14. */
  readonly epochs: number;
  /** Epochs for fine-tuning whole networks on the COVID-19 task. */
  readonly tuneEpochs: number;
  /** Epochs for training a classifier head on cached features (cheap). */
  readonly headEpochs: number;
  /** Images per optimiser step. */
  readonly batchSize: number;
  /**
   * Folds of the patient cross-validation of the COVID-19 tasks (≥ 3): every patient is tested
   * once; intervals have folds − 1 degrees of freedom.
   */
  readonly folds: number;
  /** Training repeats (seeds) of each fold's head on frozen features. */
  readonly headRepeats: number;
  /** Training repeats (seeds) of each fold's fine-tuned network. */
  readonly tuneRepeats: number;
  /** Training repeats (seeds) of each ChestX-ray14 arm (chapter 2). */
  readonly nihRepeats: number;
  /** Architectures fine-tuned whole on the COVID-19 task (frozen arms use both). */
  readonly tunedArchs: readonly ("densenet121" | "resnet50")[];
  /** Starting points fine-tuned whole (frozen arms use all). */
  readonly tunedStarts: readonly ("nih" | "imagenet" | "shuffled" | "scratch")[];
  /** Fine-tune the ImageNet start once more without augmentation (the ablation). */
  readonly augmentationAblation: boolean;
  /** Images per class in the 15-class set, where the data has them (the study: ≥ 200). */
  readonly classBudget: number;
  /** Images per class in the latent-space maps (SOM, t-SNE). */
  readonly mapBudget: number;
  /** Bootstrap resamples for confidence intervals. */
  readonly resamples: number;
  /** Notebook cell timeout in seconds. */
  readonly cellTimeoutSeconds: number;
}

/**
 * The three profiles. `quick` is sized for native TensorFlow on a 2-core CPU (all six chapters
 * in about 40 minutes); on wasm it takes about twice that. `paper` follows the study's protocol
 * and needs a GPU backend.
 */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  smoke: {
    name: "smoke",
    imageSide: 64,
    maxCovidImages: 120,
    maxNihImages: 200,
    nihArchives: 1,
    epochs: 1,
    tuneEpochs: 1,
    headEpochs: 20,
    batchSize: 8,
    folds: 3,
    headRepeats: 2,
    tuneRepeats: 1,
    nihRepeats: 1,
    tunedArchs: ["densenet121"],
    tunedStarts: ["nih", "imagenet"],
    augmentationAblation: false,
    classBudget: 12,
    mapBudget: 12,
    resamples: 200,
    cellTimeoutSeconds: 600,
  },
  quick: {
    name: "quick",
    imageSide: 128,
    maxCovidImages: Infinity,
    // the sizes, and so the time, stay those of the development data root (671 usable images)
    // when a downloaded archive holds thousands
    maxNihImages: 700,
    nihArchives: 1,
    epochs: 5,
    tuneEpochs: 3,
    headEpochs: 100,
    batchSize: 16,
    folds: 5,
    headRepeats: 3,
    tuneRepeats: 1,
    nihRepeats: 1,
    tunedArchs: ["densenet121"],
    tunedStarts: ["nih", "imagenet", "shuffled"],
    augmentationAblation: false,
    classBudget: 200,
    mapBudget: 60,
    resamples: 2000,
    cellTimeoutSeconds: 3600,
  },
  paper: {
    name: "paper",
    imageSide: 224,
    maxCovidImages: Infinity,
    maxNihImages: Infinity,
    nihArchives: 12,
    epochs: 100,
    tuneEpochs: 100,
    headEpochs: 100,
    batchSize: 16,
    folds: 5,
    headRepeats: 5,
    tuneRepeats: 2,
    nihRepeats: 2,
    tunedArchs: ["densenet121", "resnet50"],
    tunedStarts: ["nih", "imagenet", "shuffled", "scratch"],
    augmentationAblation: true,
    classBudget: 200,
    mapBudget: 200,
    resamples: 2000,
    cellTimeoutSeconds: 24 * 3600,
  },
};

/**
 * The profile of a name (default: `XRAY_PROFILE`, else `quick`); an unknown name is an error.
 * A pure lookup: the same name gives the same sizes on every backend and at every point of a
 * run. What a backend cannot hold at once (e.g. batch 16 at 224 px in wasm's 4 GiB heap) is
 * met by gradient accumulation (see `BackendInfo.maxMicroBatch`), not by other sizes.
 */
export function currentProfile(name: string | undefined = env("XRAY_PROFILE")): Profile {
  const chosen = name?.trim() || "quick";
  if (!(chosen in PROFILES)) {
    throw new Error(
      `Unknown profile "${chosen}" (from XRAY_PROFILE). Use one of: ${
        Object.keys(PROFILES).join(", ")
      }.`,
    );
  }
  return PROFILES[chosen as ProfileName];
}

/** The data root: `XRAY_DATA_DIR`, else `<project>/data`. Always an absolute path. */
export function dataRoot(setting: string | undefined = env("XRAY_DATA_DIR")): string {
  const root = setting?.trim() || "data";
  return isAbsolute(root) ? root : resolve(PROJECT_ROOT, root);
}

/**
 * The data root as chapters print it: relative to the project when that is shorter, never an
 * absolute path (executed notebooks are published, and must not name a machine's folders).
 */
export function dataRootLabel(root: string = dataRoot()): string {
  const rel = relative(PROJECT_ROOT, root) || ".";
  return isAbsolute(rel) ? "(a folder outside the project; XRAY_DATA_DIR)" : rel;
}

/** Folder for things the project makes or fetches itself: `XRAY_CACHE_DIR`, else `<project>/.cache`. */
export function cacheDir(setting: string | undefined = env("XRAY_CACHE_DIR")): string {
  const dir = setting?.trim() || ".cache";
  return isAbsolute(dir) ? dir : resolve(PROJECT_ROOT, dir);
}

/**
 * Where trained weights and checkpoints go: `XRAY_WEIGHTS_DIR`, else `<project>/weights`
 * (one folder per profile and run inside).
 */
export function weightsDir(setting: string | undefined = env("XRAY_WEIGHTS_DIR")): string {
  const dir = setting?.trim() || "weights";
  return isAbsolute(dir) ? dir : resolve(PROJECT_ROOT, dir);
}

/**
 * Where results files go: `XRAY_RESULTS_DIR`, else `<project>/results` (one folder per profile
 * inside). The site reads the project's own folder.
 */
export function resultsRoot(setting: string | undefined = env("XRAY_RESULTS_DIR")): string {
  const dir = setting?.trim() || "results";
  return isAbsolute(dir) ? dir : resolve(PROJECT_ROOT, dir);
}

/** Raised when the data root or a dataset folder is missing; says how to get it. */
export class DataMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataMissingError";
  }
}

/**
 * An environment variable: undefined when it is unset, empty, or may not be read (no
 * `--allow-env`), so every setting falls back to its default the same way.
 */
export function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}
