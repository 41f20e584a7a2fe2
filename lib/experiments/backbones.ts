/**
 * The ChestX-ray14-trained backbones of chapter 2, as later chapters pick them up: the saved
 * model, its card (what it trained on, for the leakage guard) and its pretraining gate (what it
 * may be called, and whether comparisons resting on it are testable).
 * @module
 */
import { join } from "node:path";
import type { Profile } from "../config.ts";
import type { ModelName } from "../data/normalise.ts";
import type { XrayRecord } from "../data/record.ts";
import { type ModelCard, readCard, trainedRecords } from "../models/card.ts";
import type { PretrainingGate } from "./gate.ts";
import { runDir } from "./runs.ts";

/** The run (weights folder) name of chapter 2's ImageNet → ChestX-ray14 backbone. */
export function nihBackboneRun(arch: ModelName): string {
  return `nih-${arch}-imagenet`;
}

/** A ChestX-ray14-trained backbone, ready to start another model from. */
export interface NihBackbone {
  readonly arch: ModelName;
  /** Folder of the saved model (its best epoch). */
  readonly dir: string;
  readonly card: ModelCard;
  readonly gate: PretrainingGate;
  /** Its training and validation images, for the leakage guard. */
  readonly trainedOn: XrayRecord[];
}

/**
 * Chapter 2's backbone of `arch` at a profile.
 * @throws Error saying which chapter to run when the model or its gate is missing
 */
export async function nihBackbone(arch: ModelName, profile: Profile): Promise<NihBackbone> {
  const dir = join(runDir(nihBackboneRun(arch), profile), "best");
  const missing = `run chapter 2 (02-chestxray14) at profile ${profile.name} first`;
  try {
    await Deno.stat(join(dir, "model.json"));
  } catch {
    throw new Error(`The ChestX-ray14-trained ${arch} is missing (${dir}): ${missing}`);
  }
  const card = await readCard(dir);
  const gate = card.notes?.gate as PretrainingGate | undefined;
  if (!gate) throw new Error(`${dir}/card.json has no pretraining gate: ${missing}`);
  return { arch, dir, card, gate, trainedOn: trainedRecords(card) };
}

/** The run name of chapter 2's equal-compute control: ImageNet start, shuffled ChestX-ray14. */
export function shuffledBackboneRun(arch: ModelName): string {
  return `nih-${arch}-shuffled`;
}

/**
 * Chapter 2's equal-compute control of `arch` at a profile, or undefined where chapter 2 did not
 * train one (it is trained for DenseNet121, the architecture of the primary comparison).
 */
export async function shuffledBackbone(
  arch: ModelName,
  profile: Profile,
): Promise<{ dir: string; card: ModelCard } | undefined> {
  const dir = join(runDir(shuffledBackboneRun(arch), profile), "best");
  try {
    await Deno.stat(join(dir, "model.json"));
  } catch {
    return undefined;
  }
  return { dir, card: await readCard(dir) };
}
