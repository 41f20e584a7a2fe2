/**
 * xray-transfer: the library behind the chapters, chosen name by name.
 *
 * ```ts
 * import { covidStudyData, currentProfile, initBackend, showTable } from "../lib/mod.ts";
 * import { frozenTransferArms } from "../lib/chapters/03_covid_transfer.ts";
 * ```
 *
 * A notebook imports what is specific to its chapter from its module in `chapters/`, and the
 * general library from here: what a chapter uses and what a script of your own needs to do what
 * a chapter does — load and split data, train, predict, evaluate with intervals and paired
 * tests, explain, map, and show. Everything else (backend internals, checkpoint and cache
 * formats, download internals and pins, building blocks a chapter does not use) is imported from
 * its folder's `mod.ts`; files starting with `_` are private to their folder.
 * @module
 */

// Setting up: the profile (how much data, how many epochs), the data root, the backend, seeds,
// long work shown as it runs, and a chapter's results file with how it was produced.
export {
  currentProfile,
  DataMissingError,
  dataRoot,
  dataRootLabel,
  type Profile,
  type ProfileName,
  PROFILES,
  PROJECT_ROOT,
} from "./config.ts";
export { initBackend, tf } from "./backend/mod.ts";
export { deriveSeed, Rng } from "./rng.ts";
export { Progress } from "./progress.ts";
export { readResults, runInfo, saveResults } from "./results.ts";

// The study's own numbers, the ones each chapter compares with.
export {
  CHEXNET_NIH,
  STUDY_COVID_AUC,
  STUDY_DATA,
  STUDY_FIFTEEN_COVID_AUC,
  STUDY_NIH_DENSENET,
} from "./study.ts";

// Data: the two collections as records, their images, patient-disjoint folds, augmentation and
// the batch pipeline.
export {
  assertNoLeakage,
  augment,
  BatchPipeline,
  countBy,
  countByReason,
  COVID_COMMIT,
  COVID_REPOSITORY,
  type CovidRecord,
  crossValidationFolds,
  decodeGrey,
  decodeRgba,
  excludeTrainingPatients,
  FIFTEEN_CLASSES,
  fifteenLabels,
  type Fold,
  imageInfo,
  keepStoredAtLeast,
  loadCovid,
  loadNih,
  mergeDuplicatePatients,
  NIH_FINDINGS,
  type NihRecord,
  patientSplit,
  rgbaToGrey,
  STUDY_AUGMENTATION,
  testFoldOf,
  type XrayRecord,
} from "./data/mod.ts";

// Models: build DenseNet121 / ResNet50, load a trained one with its card, classify images.
export {
  classify,
  createModel,
  featureModel,
  HEAD_DENSE,
  loadClassifier,
  type ModelCard,
  readCard,
  trainedRecords,
} from "./models/mod.ts";

// Experiments: the study's data at a profile, the starting points, training an arm or a head,
// and the comparisons with their verdicts.
export {
  ARCH_NAMES,
  type ArmSpec,
  compareCv,
  covidStratum,
  covidStudyData,
  decideFamily,
  frozenBackbone,
  inputCueFeatures,
  multiLabelResult,
  nihBackbone,
  nihStudyData,
  SHUFFLED_NAME,
  type SplitTask,
  startingPoints,
  trainArm,
  trainHead,
} from "./experiments/mod.ts";

// Evaluation: ROC and AUC, their intervals, paired tests.
export {
  auc,
  bootstrapAuc,
  bootstrapMean,
  delongTest,
  pairedBootstrapAucDifference,
  rocCurve,
} from "./eval/mod.ts";

// Explaining: class activation maps, Grad-CAM, lung masks, occlusion.
export {
  camGalleryHtml,
  camsOf,
  classActivationMaps,
  gradCam,
  lungMask,
  maskOutline,
  modelInput,
  occlude,
  upsampleMaps,
} from "./explain/mod.ts";

// Projections of feature spaces: self-organising maps and t-SNE.
export { SelfOrganisingMap, tsne } from "./projection/mod.ts";

// Showing: tables, plots, figures and image grids in a notebook.
export {
  imageGridHtml,
  Plot,
  sampleGalleryHtml,
  showBars,
  showDistributions,
  showEmbedding,
  showFindingAucs,
  showHtml,
  showPlot,
  showRocs,
  showSomMaps,
  showTable,
  showTrainingCurves,
} from "./viz/mod.ts";

// Reporting: numbers as the report prints them, verdict tables, cross-validated arms, and the
// summary that closes a chapter.
export { fmtCi, fmtDiff } from "./format.ts";
export { closeChapter, showCvArms, showTransferRocs, showVerdicts } from "./report/mod.ts";
