/**
 * What the "Try the model" page is given at build time (`try/manifest.json`): the published
 * arms with their numbers, which one the page starts with, and the gallery of test images with
 * what the library predicted for each in Deno — both on the gallery copy (the page's exact
 * input) and on the original file — so the page can show them and a test can hold the page to
 * them. Types only: written by `site/staging/prepare.ts`, read by the page.
 * @module
 */

/** A test AUC with its 95% patient-bootstrap interval. */
export interface AucWithCi {
  readonly auc: number;
  readonly ci: readonly [number, number];
  readonly images: number;
  readonly patients: number;
}

/** One published model: an arm of chapter 3, as trained on its first fold (or split). */
export interface TryArm {
  /** The arm's key in chapter 3's results, e.g. "tuned-densenet121-nih". */
  readonly key: string;
  /** The arm as the chapter names it. */
  readonly label: string;
  readonly mode: "frozen" | "fine-tuned";
  /** Where its weights started: "nih", "imagenet", "scratch", … */
  readonly start: string;
  readonly arch: "densenet121" | "resnet50";
  /** Input side in pixels. */
  readonly side: number;
  /** Folder of model.json, card.json and the weight shards, relative to `try/`. */
  readonly dir: string;
  /** Bytes of model.json plus its shards. */
  readonly bytes: number;
  readonly threshold: number;
  readonly thresholdRule: string;
  /** Which model of the arm this is, in words: "fold 0, repeat 0" or "split 0". */
  readonly run: string;
  /** This model's test AUC on its own fold's (split's) test images. */
  readonly test: AucWithCi;
  /** The arm over all its runs, as chapter 3 reports it. */
  readonly overRuns: {
    readonly mean: number;
    readonly lo: number;
    readonly hi: number;
    /** How many runs, and of what ("folds × repeats", "splits"). */
    readonly runs: number;
    readonly unit: string;
  };
  /** Chapter 3's verdict: false when the arm shows no measurable learning. */
  readonly learned: boolean;
}

/** A Deno-side prediction of one image by one arm. */
export interface TryPrediction {
  readonly score: number;
  /** Row and column of the CAM's peak in the model's feature grid (side/32 cells a side). */
  readonly peak: readonly [number, number];
}

/** A gallery image: a test image of the published models' fold, reduced, with its licence. */
export interface TryImage {
  /** PNG, relative to `try/`. */
  readonly file: string;
  readonly width: number;
  readonly height: number;
  /** The original's size in pixels. */
  readonly original: { readonly width: number; readonly height: number };
  readonly covid: boolean;
  readonly finding: string;
  readonly view: string;
  readonly licence: string;
  /** The original's file name in the collection's images/ folder. */
  readonly imageId: string;
  /** The original file in the pinned collection. */
  readonly source: string;
  /** The library on this gallery copy (the page's input), by arm key. */
  readonly predictions: Readonly<Record<string, TryPrediction>>;
  /** The library on the original file (as `deno task predict` scores it), by arm key. */
  readonly originalPredictions: Readonly<Record<string, TryPrediction>>;
}

/** The whole manifest. */
export interface TryManifest {
  readonly profile: string;
  /** The chapter's data scale, in words. */
  readonly scale: string;
  /** Training and validation images of the published models (for the notice). */
  readonly trainImages: number;
  readonly trainPatients: number;
  /** Chapter 3's control: test AUC of the film's view (AP vs PA) alone, mean over runs. */
  readonly viewAlone?: number;
  readonly arms: readonly TryArm[];
  /**
   * The arm the page starts with: the study's primary comparison's ChestX-ray14 start, named
   * by chapter 3 before any result — never a choice made on test AUC.
   */
  readonly defaultArm?: string;
  /** Why the default is what it is, in words. */
  readonly defaultReason?: string;
  readonly gallery: readonly TryImage[];
  /** Files of the TF.js wasm backend, relative to `try/`. */
  readonly wasmDir: string;
  readonly commit?: string;
  readonly createdAt: string;
  /** Why there is nothing to try, when there is not (e.g. no trained models on this machine). */
  readonly missing?: string;
}

/**
 * Cells a side of the grid the CAM's peak is reported in: DenseNet121's and ResNet50's last
 * feature map, side/32 (2 at 64 px, 4 at 128 px, 7 at 224 px) — the map's real resolution.
 */
export function camGrid(side: number): number {
  return Math.max(1, Math.floor(side / 32));
}

/** The cell of the {@link camGrid} grid that holds the largest value of a side×side map. */
export function peakCell(map: ArrayLike<number>, side: number): [number, number] {
  const grid = camGrid(side);
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  const row = Math.floor(best / side), col = best % side;
  return [Math.floor((row * grid) / side), Math.floor((col * grid) / side)];
}
