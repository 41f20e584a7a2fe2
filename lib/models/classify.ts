/**
 * Using a trained model on new images, outside the chapters: the model's card says how to
 * prepare an image (side, preprocessing) and where to draw the line (the threshold chosen on
 * validation), so `classify` scores any JPEG or PNG exactly as the chapter scored its test
 * images — decoded and resized by the same code, normalised the same way. Files that are not
 * readable images are reported as skips, never thrown.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { decodeGrey, ImageError } from "../data/images.ts";
import { writeModelInput } from "../data/normalise.ts";
import { loadClassifierAt } from "./build.ts";
import { type ModelCard, PREPROCESSING, readCard } from "./card.ts";

/** A trained model with its card. */
export interface Classifier {
  readonly model: tf.LayersModel;
  readonly card: ModelCard;
  readonly dir: string;
}

/** One image's result: a score per class, and the classes at or above their threshold. */
export interface Classification {
  readonly file: string;
  readonly scores: Readonly<Record<string, number>>;
  /** Classes whose score reaches the card's threshold (0.5 where the card gives none). */
  readonly positive: readonly string[];
}

/** A file that could not be scored, and why. */
export interface ClassifySkip {
  readonly file: string;
  readonly reason: string;
}

/**
 * The one way to load a trained model: its folder (model.json + card.json). The card says the
 * architecture, the input side and the preprocessing; the model is rebuilt as that architecture
 * at that side and given the saved weights, so it runs the project's own layers.
 * @throws Error naming the folder (no model.json, no card, a card this code cannot honour)
 */
export async function loadClassifier(dir: string): Promise<Classifier> {
  const card = await readCard(dir);
  try {
    await Deno.stat(join(dir, "model.json"));
  } catch {
    throw new Error(`${dir} has no model.json`);
  }
  if (!(card.arch in PREPROCESSING)) {
    throw new Error(`${dir}/card.json: unknown architecture "${card.arch}"`);
  }
  if (card.preprocessing !== PREPROCESSING[card.arch]) {
    throw new Error(
      `${dir}/card.json: preprocessing "${card.preprocessing}" is not what ${card.arch} is ` +
        `fed here ("${PREPROCESSING[card.arch]}")`,
    );
  }
  return { model: await loadClassifierAt(dir, card.arch, card.side), card, dir };
}

/** The threshold of each class: the card's (chosen on validation), else 0.5. */
export function thresholds(card: ModelCard): number[] {
  const saved = card.notes?.thresholds as (number | null | undefined)[] | undefined;
  return card.classes.map((_, c) => saved?.[c] ?? 0.5);
}

/** Score image files with a classifier, 8 at a time; unreadable files are skipped with why. */
export async function classify(
  classifier: Classifier,
  files: readonly string[],
): Promise<{ results: Classification[]; skipped: ClassifySkip[] }> {
  const { model, card } = classifier;
  const cut = thresholds(card);
  const results: Classification[] = [], skipped: ClassifySkip[] = [];
  const pixels = card.side * card.side * 3;
  for (let i = 0; i < files.length; i += 8) {
    const chunk: { file: string; data: Uint8Array }[] = [];
    for (const file of files.slice(i, i + 8)) {
      try {
        chunk.push({ file, data: (await decodeGrey(file, card.side)).data });
      } catch (e) {
        if (!(e instanceof ImageError)) throw e;
        skipped.push({ file, reason: e.problem });
      }
    }
    if (!chunk.length) continue;
    const x = new Float32Array(chunk.length * pixels);
    chunk.forEach((c, k) =>
      writeModelInput({ side: card.side, data: c.data }, card.arch, x, k * pixels)
    );
    const output = tf.tidy(() =>
      model.predict(tf.tensor4d(x, [chunk.length, card.side, card.side, 3])) as tf.Tensor2D
    );
    const scores = await output.array(); // asynchronously: WebGPU has no synchronous read
    output.dispose();
    chunk.forEach((c, k) => {
      results.push({
        file: c.file,
        scores: Object.fromEntries(card.classes.map((name, j) => [name, scores[k][j]])),
        positive: card.classes.filter((_, j) => scores[k][j] >= cut[j]),
      });
    });
  }
  return { results, skipped };
}
