/**
 * Training: the study's loop (Adam with weight decay, summed binary cross-entropy, micro-batches
 * accumulated, the best epoch by validation AUC, checkpoints and exact resume), prediction over
 * a split, and cached features for frozen backbones.
 * @module
 */
export { OutOfMemoryError, trainModel, type TrainOptions, type TrainResult } from "./loop.ts";
export { type BatchSource, predict, type Predictions } from "./predict.ts";
export { extractFeatures, FeatureBatches, type FeatureTable, headModel } from "./features.ts";
export { Adam } from "./adam.ts";
export { binaryCrossEntropy } from "./loss.ts";
export type { EpochRecord } from "./_checkpoint.ts";
