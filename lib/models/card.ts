/**
 * A model card beside every trained model (`card.json` next to `model.json`): what the model
 * is, what it expects, what it was trained on and how well it did — enough for someone outside
 * the notebooks to use it correctly, and for the library to refuse evaluating it on images it
 * was trained on.
 * @module
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import type { ModelName } from "../data/normalise.ts";
import type { XrayRecord } from "../data/record.ts";

/** Preprocessing in words, per architecture (Keras `preprocess_input` modes). */
export const PREPROCESSING: Readonly<Record<ModelName, string>> = {
  densenet121: "grey → RGB; scale to [0, 1]; minus ImageNet mean [0.485, 0.456, 0.406], " +
    "divided by std [0.229, 0.224, 0.225] (Keras 'torch' mode)",
  resnet50: "grey → BGR; [0, 255] minus the ImageNet channel means [103.939, 116.779, 123.68] " +
    "(Keras 'caffe' mode)",
};

/** An image a model was trained or validated on (validation picks the epoch: it counts too). */
export interface TrainedOnImage {
  readonly source: string;
  readonly imageId: string;
  readonly patientId: string;
}

/** Images of one part of the training data, with a hash of which images they are. */
export interface DataPart {
  readonly images: number;
  readonly patients: number;
  /** SHA-256 (16 hex digits) of the sorted `source/imageId` list. */
  readonly hash: string;
}

/** What a model card holds. */
export interface ModelCard {
  readonly card: "xray-transfer/model-card@1";
  readonly name: string;
  readonly arch: ModelName;
  /** Input side in pixels (square). */
  readonly side: number;
  readonly preprocessing: string;
  /** Names of the sigmoid outputs, in order. */
  readonly classes: readonly string[];
  /** How the weights started: "imagenet", "scratch", or the folder of another model. */
  readonly init: string;
  readonly data: {
    readonly dataset: string;
    readonly train: DataPart;
    readonly validation: DataPart;
    readonly split: string;
  };
  /** Every training and validation image (for leakage checks). */
  readonly trainedOn: readonly TrainedOnImage[];
  readonly profile: string;
  readonly seed: number;
  readonly backend: string;
  readonly commit?: string;
  /** Epochs run, the epoch kept, and the optimiser updates the kept weights received. */
  readonly training: { epochs: number; bestEpoch: number; updates: number };
  /** Extra, named facts: the pretraining gate, a threshold, test AUCs. */
  readonly notes?: Record<string, unknown>;
  readonly createdAt: string;
}

/** The summary of one part of the data. */
export function dataPart(records: readonly XrayRecord[]): DataPart {
  const ids = records.map((r) => `${r.source}/${r.imageId}`).sort();
  return {
    images: records.length,
    patients: new Set(records.map((r) => `${r.source}/${r.patientId}`)).size,
    hash: createHash("sha256").update(ids.join("\n")).digest("hex").slice(0, 16),
  };
}

/** The trained-on list of records. */
export function trainedOnList(records: readonly XrayRecord[]): TrainedOnImage[] {
  return records.map((r) => ({ source: r.source, imageId: r.imageId, patientId: r.patientId }));
}

/** Write `card.json` into a model's folder. */
export async function writeCard(dir: string, card: ModelCard): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const tmp = join(dir, "card.json.tmp");
  await Deno.writeTextFile(tmp, JSON.stringify(card, null, 2) + "\n");
  await Deno.rename(tmp, join(dir, "card.json"));
}

/** Read a model's card. @throws Error naming the folder when there is none */
export async function readCard(dir: string): Promise<ModelCard> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "card.json"))) as ModelCard;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${dir} has no card.json: not a model saved by this project's chapters`);
    }
    throw new Error(`${join(dir, "card.json")}: ${(e as Error).message}`);
  }
}

/** Add named facts to a model's card (merged into its `notes`). */
export async function addCardNotes(dir: string, notes: Record<string, unknown>): Promise<void> {
  const card = await readCard(dir);
  await writeCard(dir, { ...card, notes: { ...card.notes, ...notes } });
}

/** The records a card says the model trained on, as records for the leakage guard. */
export function trainedRecords(card: ModelCard): XrayRecord[] {
  return card.trainedOn.map((t) => ({
    source: t.source as XrayRecord["source"],
    imageId: t.imageId,
    patientId: t.patientId,
    path: "",
    view: "",
    findings: [],
    findingText: "",
    labels: [],
  }));
}
