/**
 * What the "Try the model" page is given at build time (`try/manifest.json`): the published
 * arms with their numbers, and the gallery of test images with the predictions the library
 * made for them in Deno — so the page can show both, and a test can hold one against the other.
 * Types only: written by `site/try/prepare.ts`, read by the page.
 * @module
 */

/** A test AUC with its 95% patient-bootstrap interval. */
export interface AucWithCi {
  readonly auc: number;
  readonly ci: readonly [number, number];
  readonly images: number;
  readonly patients: number;
}

/** One published model: an arm of chapter 3, as trained on patient split 0. */
export interface TryArm {
  /** The arm's key in chapter 3's results, e.g. "tuned-densenet121-nih". */
  readonly key: string;
  /** The arm as the chapter names it. */
  readonly label: string;
  readonly mode: "frozen" | "tuned";
  readonly arch: "densenet121" | "resnet50";
  /** Input side in pixels. */
  readonly side: number;
  /** Folder of model.json, card.json and the weight shards, relative to `try/`. */
  readonly dir: string;
  /** Bytes of model.json plus its shards. */
  readonly bytes: number;
  readonly threshold: number;
  readonly thresholdRule: string;
  /** This model's test AUC on split 0. */
  readonly test: AucWithCi;
  /** The arm over all splits, as the chapter reports it. */
  readonly overSplits: {
    readonly mean: number;
    readonly lo: number;
    readonly hi: number;
    readonly splits: number;
  };
  /** False when the split-0 interval includes 0.5: no evidence this model learned anything. */
  readonly learned: boolean;
}

/** A Deno-side prediction of one gallery image by one arm. */
export interface TryPrediction {
  readonly score: number;
  /** Row and column (0–6) of the CAM's peak in a 7×7 grid over the model's input. */
  readonly peak: readonly [number, number];
}

/** A gallery image: a published test image of split 0, at reduced size, with its licence. */
export interface TryImage {
  /** PNG, relative to `try/`. */
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly covid: boolean;
  readonly finding: string;
  readonly view: string;
  readonly licence: string;
  /** The original's file name in the collection's images/ folder. */
  readonly imageId: string;
  /** The original file in the pinned collection. */
  readonly source: string;
  readonly predictions: Readonly<Record<string, TryPrediction>>;
}

/** The whole manifest. */
export interface TryManifest {
  readonly profile: string;
  /** The chapter's data scale, in words. */
  readonly scale: string;
  /** Training and validation images of the split-0 models (for the notice). */
  readonly trainImages: number;
  readonly trainPatients: number;
  /** Chapter 3's control: test AUC of the film's view (AP vs PA) alone, mean over splits. */
  readonly viewAlone?: number;
  readonly arms: readonly TryArm[];
  readonly gallery: readonly TryImage[];
  /** Files of the TF.js wasm backend, relative to `try/`. */
  readonly wasmDir: string;
  readonly commit?: string;
  readonly createdAt: string;
  /** Why there is nothing to try, when there is not (e.g. no trained models on this machine). */
  readonly missing?: string;
}

/** Side of the grid the CAM's peak is reported in. */
export const PEAK_GRID = 7;

/** The cell of a 7×7 grid that holds the largest value of a side×side map. */
export function peakCell(map: ArrayLike<number>, side: number): [number, number] {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  const row = Math.floor(best / side), col = best % side;
  return [Math.floor((row * PEAK_GRID) / side), Math.floor((col * PEAK_GRID) / side)];
}
