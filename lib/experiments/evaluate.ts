/**
 * Test-set numbers the way the report states them: per-class AUC of a multi-label model with a
 * 95% interval from a bootstrap over patients.
 * @module
 */
import { perClassAuc } from "../eval/per_class_auc.ts";
import { patientKey, type XrayRecord } from "../data/record.ts";
import type { Predictions } from "../train/predict.ts";

/** True when a test set holds both classes (else it has no AUC). */
export function bothClasses(labels: readonly number[]): boolean {
  const positives = labels.reduce((a, b) => a + b, 0);
  return positives > 0 && positives < labels.length;
}

/** Per-class AUC with patient-bootstrap CIs for a multi-label model. */
export function multiLabelResult<R extends XrayRecord>(
  predictions: Predictions<R>,
  classes: readonly string[],
  options: { resamples: number; seed?: number },
): ReturnType<typeof perClassAuc> {
  return perClassAuc(predictions.scores, predictions.labels, classes, {
    groups: predictions.records.map(patientKey),
    resamples: options.resamples,
    seed: options.seed ?? 0,
  });
}
