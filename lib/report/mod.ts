/**
 * The report: numbers as the chapters print them, each chapter's tables and generated
 * conclusions ("what we found / what we cannot say"), saved beside its results.
 * @module
 */
export { fmtCi, fmtDiff, fmtP, fmtSpread } from "../format.ts";
export { type ChapterSummary, closeChapter, summaryMarkdown } from "./summary.ts";
export { showVerdicts } from "./verdict_table.ts";
export {
  covidFoldSizes,
  covidOverview,
  dataResults,
  findingByStoredSize,
  nihOverview,
  nihPartSizes,
  showViews,
  summariseData,
} from "../chapters/01_data.ts";
export {
  compareNihArms,
  findingTables,
  nihArmResults,
  nihHeadline,
  type NihResults,
  recordTestAucs,
  showGates,
  summariseChestXray14,
} from "../chapters/02_chestxray14.ts";
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
} from "../chapters/03_covid_transfer.ts";
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
} from "../chapters/04_cam.ts";
export {
  compareSpaces,
  embedSpaces,
  mapItems,
  mapQuality,
  mapSpaces,
  summariseMaps,
} from "../chapters/05_latent_maps.ts";
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
} from "../chapters/06_fifteen_classes.ts";
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
} from "../chapters/07_shortcuts.ts";
export { headlineFigure, type HeadlineRow, headlineRows, type OurHeadline } from "./headline.ts";
