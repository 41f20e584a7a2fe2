/**
 * Experiments as the chapters run them: arms trained whole or as heads on frozen features, over
 * patient K-fold cross-validation; the pretraining gate, verdicts of comparison families, the leakage-
 * safe study data, and what a profile needs fetched.
 * @module
 */
export { type ArmRun, type ArmSpec, microBatch, trainArm } from "./arm.ts";
export type { SplitTask } from "./task.ts";
export {
  attachHead,
  type FeatureSource,
  type FrozenBackbone,
  frozenBackbone,
  type HeadRun,
  trainHead,
} from "./heads.ts";
export { multiLabelResult } from "./evaluate.ts";
export { HEAD_HYPER, STUDY_HYPER } from "./hyper.ts";
export { runDir } from "./runs.ts";
export { type NihBackbone, nihBackbone, nihBackboneRun, shuffledBackbone } from "./backbones.ts";
export { PRETRAINED_NAME, type PretrainingGate, pretrainingGate } from "./gate.ts";
export {
  type ComparisonInput,
  decideFamily,
  decidePrimary,
  scoreSpread,
  type Verdict,
} from "./verdict.ts";
export { type Learned, learnedRule } from "./learned.ts";
export {
  covidStratum,
  type CovidStudyData,
  covidStudyData,
  imageLevelFolds,
  type NihSplit,
  type NihStudyData,
  nihStudyData,
} from "./study_data.ts";
export { ARCH_NAMES, SHUFFLED_NAME, type StartingPoint, startingPoints } from "./starts.ts";
export {
  compareCv,
  type CvArm,
  type CvRun,
  cvSubset,
  type CvTask,
  type FoldHeads,
  frozenCvArm,
  modelDir,
  pooledRoc,
  pooledScores,
  readFoldHeads,
  runSeed,
  sourceOnlyControl,
  tunedCvArm,
  viewOnlyControl,
} from "./cross_validated.ts";
export { inputCueFeatures } from "./input_cues.ts";
