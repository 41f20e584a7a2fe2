/**
 * What a model card says about using a model: its operating threshold, chosen on the
 * validation images (Youden's J, the ROC point farthest above the diagonal), and its test
 * AUC with the interval the chapter reports. Written after the chapter computed them.
 * @module
 */
import { youdenThreshold } from "../eval/roc.ts";
import { addCardNotes } from "../models/card.ts";
import type { Predictions } from "../train/predict.ts";
import { bothClasses } from "./evaluate.ts";

/** How the threshold was chosen, in the card's words. */
export const THRESHOLD_RULE =
  "Youden's J (TPR − FPR) maximised on the validation images; scores ≥ the threshold are " +
  "called positive";

/** Per output: the Youden threshold on validation (undefined where validation has one class). */
export function validationThresholds<R>(validation: Predictions<R>): (number | undefined)[] {
  const outputs = validation.scores[0]?.length ?? 0;
  return Array.from({ length: outputs }, (_, c) => {
    const y = validation.labels.map((l) => l[c]);
    if (!bothClasses(y)) return undefined;
    return youdenThreshold(validation.scores.map((s) => s[c]), y).threshold;
  });
}

/** Record a model's thresholds and test result in its card. */
export async function recordOperatingPoint<R>(
  dir: string,
  validation: Predictions<R>,
  test: Record<string, unknown>,
): Promise<void> {
  await addCardNotes(dir, {
    thresholds: validationThresholds(validation),
    thresholdRule: THRESHOLD_RULE,
    test,
  });
}
