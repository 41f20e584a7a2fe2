/**
 * The report: numbers as the chapters print them, each chapter's tables and generated
 * conclusions ("what we found / what we cannot say"), saved beside its results.
 * @module
 */
export { fmtCi, fmtDiff, fmtP, fmtSpread } from "./format.ts";
export { type ChapterSummary, closeChapter, summaryMarkdown } from "./summary.ts";
export { showVerdicts } from "./tables.ts";
export {
  covidOverview,
  dataResults,
  findingByStoredSize,
  nihOverview,
  showViews,
  splitSizes,
  summariseData,
} from "./data.ts";
export {
  compareNihArms,
  nihResults,
  recordTestAucs,
  showGates,
  summariseChestXray14,
} from "./chestxray14.ts";
export {
  armsForResults,
  showArms,
  showCovidData,
  summariseTransfer,
  transferComparisons,
  transferHeadline,
} from "./covid_transfer.ts";
export {
  camFamily,
  camRows,
  classifierNotLearned,
  findingCamRows,
  lungShareRows,
  maskedImages,
  summariseCam,
} from "./cam.ts";
export {
  compareSpaces,
  embedSpaces,
  mapItems,
  mapQuality,
  mapSpaces,
  summariseMaps,
} from "./latent_maps.ts";
export {
  FIFTEEN_CLASSES,
  fifteenClassSet,
  fifteenLabels,
  summariseFifteen,
} from "./fifteen_classes.ts";
