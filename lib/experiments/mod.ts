/**
 * Experiments as the chapters run them: arms trained whole or as heads on frozen features, over
 * patient K-fold cross-validation; the pretraining gate, verdicts of comparison families, the leakage-
 * safe study data, and what a profile needs fetched.
 * @module
 */
export { type ArmRun, type ArmSpec, microBatch, trainArm } from "./arm.ts";
export {
  attachHead,
  type FeatureSource,
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
export {
  type NihBackbone,
  nihBackbone,
  nihBackboneRun,
  savedClassifier,
  shuffledBackbone,
} from "./backbones.ts";
export { PRETRAINED_NAME, type PretrainingGate, pretrainingGate } from "./gate.ts";
export {
  ALPHA,
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
export {
  findingCounts,
  gateBackbone,
  type NihArm,
  trainNihArm,
  trainShuffledControl,
} from "../chapters/02_chestxray14.ts";
export { ARCH_NAMES, SHUFFLED_NAME, type StartingPoint, startingPoints } from "./starts.ts";
export {
  armStatus,
  compareCv,
  type CvArm,
  type CvRun,
  cvSubset,
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
export { INPUT_CUES, inputCueFeatures } from "./input_cues.ts";
export { profileNeeds } from "../data/requirements.ts";
