/**
 * The data layer: one record shape and label vocabulary for every source, the registered
 * datasets (loaders, splits, sources, lung masks), decoding and augmenting images, batches for
 * training, patient-level splits, duplicate and leakage checks, and fetching into a data root.
 * @module
 */
export {
  countByReason,
  type Label,
  LABELS,
  labelVector,
  limitByPatient,
  mergeRecords,
  NIH_FINDINGS,
  type NihFinding,
  patientKey,
  type SkippedRow,
  type SkipReason,
  type Source,
  toVocabulary,
  type XrayRecord,
} from "./record.ts";
export type { DatasetInfo, LoadedDataset, XrayDataset } from "./dataset.ts";
export {
  COVID_OUTPUT,
  FIFTEEN_CLASSES,
  fifteenLabels,
  type FifteenRecord,
} from "./fifteen_classes.ts";
export * from "./datasets/mod.ts";
export {
  assertPatientsDisjoint,
  groupByPatient,
  patientSplit,
  type SplitFractions,
  type Splits,
} from "./splits.ts";
export {
  EXTERNAL_COLLECTIONS,
  type ExternalDataset,
  type ExternalName,
  type ExternalRecord,
  loadExternal,
} from "./external.ts";
export { crossValidationFolds, type Fold, type FoldOptions, testFoldOf } from "./folds.ts";
export {
  decodeGrey,
  decodeRgb,
  decodeRgba,
  type GreyImage,
  ImageError,
  type ImageInfo,
  imageInfo,
} from "./images.ts";
export { type ModelName, writeModelInput } from "./normalise.ts";
export { resizeGrey, type Rgba, rgbaToGrey } from "./preprocess.ts";
export { augment, type AugmentOptions, STUDY_AUGMENTATION } from "./augment.ts";
export { ImageCache } from "./cache.ts";
export { type Batch, BatchPipeline, oversampleMinority, type PipelineOptions } from "./pipeline.ts";
export { countBy, imageSizeCensus } from "./summary.ts";
export {
  copiesOf,
  type DuplicatePair,
  type MergedGroup,
  mergeDuplicatePatients,
} from "./duplicates.ts";
export { assertNoLeakage, excludeTrainingPatients, LeakageError } from "./leakage.ts";
export { keepStoredAtLeast } from "./resolution.ts";
export type { LungMask } from "./lung_mask.ts";
export {
  fetchItems,
  type FetchReport,
  inspect,
  type PlanItem,
  planLines,
  type SourceSettings,
} from "./fetch.ts";
export { ChecksumError, DownloadError, downloadFile, sha256File } from "./download.ts";
