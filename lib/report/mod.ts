/**
 * The report: numbers as the chapters print them, each chapter's tables and generated
 * conclusions ("what we found / what we cannot say"), saved beside its results.
 * @module
 */
export { fmtCi, fmtDiff, fmtP, fmtSpread } from "./format.ts";
export { type ChapterSummary, closeChapter, summaryMarkdown } from "./summary.ts";
export { showVerdicts } from "./tables.ts";
export {
  covidFoldSizes,
  covidOverview,
  dataResults,
  findingByStoredSize,
  nihOverview,
  nihPartSizes,
  showViews,
  summariseData,
} from "./data.ts";
export {
  compareNihArms,
  findingTables,
  nihArmResults,
  nihHeadline,
  type NihResults,
  recordTestAucs,
  showGates,
  summariseChestXray14,
} from "./chestxray14.ts";
export {
  armResult,
  controlArms,
  frozenTransferArms,
  PRIMARY,
  showCovidData,
  showCvArms,
  showTransferRocs,
  summariseTransfer,
  transferHeadline,
  type TransferResults,
  transferResults,
  transferVerdicts,
  tunedTransferArms,
  viewRows,
} from "./covid_transfer.ts";
export {
  type CamArm,
  camArms,
  camFamily,
  camRows,
  findingCamRows,
  foldClassifier,
  galleryModels,
  learnedFindings,
  lungShareRows,
  maskedImages,
  outOfFoldLungShares,
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
  COVID_OUTPUT,
  FIFTEEN_CLASSES,
  fifteenClassArms,
  fifteenClassSet,
  fifteenHeadsPath,
  fifteenLabels,
  type FifteenRecord,
  type FifteenResults,
  fifteenResults,
  saveFifteenHeads,
  summariseFifteen,
} from "./fifteen_classes.ts";
export {
  armScorer,
  collectionName,
  externalGroups,
  type ExternalResult,
  externalResult,
  externalScores,
  externalSet,
  fifteenClassArm,
  fifteenVersions,
  foldModel,
  type OccludedSet,
  occludedSet,
  populationMask,
  scoreArms,
  shortcutArms,
  shortcutFamily,
  type ShortcutResults,
  shortcutResults,
  showStory,
  storyRows,
  summariseShortcuts,
  versionGallery,
  type VersionResult,
  versionResult,
  VERSIONS,
  versionScores,
  viewGroup,
} from "./shortcuts.ts";
export { headlineFigure, type HeadlineRow, headlineRows, type OurHeadline } from "./headline.ts";
