/**
 * Experiments as the chapters run them: arms trained whole or as heads on frozen features, over
 * repeated patient splits; the pretraining gate, verdicts of comparison families, the leakage-
 * safe study data, and what a profile needs fetched.
 * @module
 */
export { type ArmRun, type ArmSpec, microBatch, trainArm } from "./arm.ts";
export {
  attachHead,
  type FrozenBackbone,
  frozenBackbone,
  type HeadRun,
  trainHead,
} from "./heads.ts";
export {
  type BinaryResult,
  binaryResult,
  compareArms,
  compareMultiLabel,
  multiLabelResult,
} from "./evaluate.ts";
export { HEAD_HYPER, STUDY_HYPER } from "./hyper.ts";
export { runDir } from "./runs.ts";
export { type NihBackbone, nihBackbone, nihBackboneRun, savedClassifier } from "./backbones.ts";
export { PRETRAINED_NAME, type PretrainingGate, pretrainingGate } from "./gate.ts";
export { type ComparisonInput, decideFamily, scoreSpread, type Verdict } from "./verdict.ts";
export {
  type CovidStudyData,
  covidStudyData,
  type NihStudyData,
  nihStudyData,
} from "./study_data.ts";
export { findingCounts, gateBackbone, trainNihArm } from "./nih_arms.ts";
export {
  ARCH_NAMES,
  type ArmOverSplits,
  aucByView,
  compareOverSplits,
  fineTunedArms,
  frozenArms,
  type StartingPoint,
  startingPoints,
} from "./over_splits.ts";
export { INPUT_CUES, inputCueFeatures } from "./source_cues.ts";
export { profileNeeds } from "./requirements.ts";
