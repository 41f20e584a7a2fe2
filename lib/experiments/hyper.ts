/**
 * The study's optimiser settings per architecture (Adam, batch 16): DenseNet121 lr 1e-4, weight
 * decay 5e-5, learning rate cut after 5 stalled epochs; ResNet lr 1e-3, weight decay 1e-5,
 * patience 1. Heads on frozen features use a larger rate: they are one layer on fixed inputs.
 * @module
 */
import type { ModelName } from "../data/normalise.ts";

/** Optimiser settings of one kind of run. */
export interface Hyper {
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly lrPatience: number;
}

/** Whole-network training, as the study did it. */
export const STUDY_HYPER: Readonly<Record<ModelName, Hyper>> = {
  densenet121: { learningRate: 1e-4, weightDecay: 5e-5, lrPatience: 5 },
  resnet50: { learningRate: 1e-3, weightDecay: 1e-5, lrPatience: 1 },
};

/** A dense head on cached features. */
export const HEAD_HYPER: Hyper = { learningRate: 1e-3, weightDecay: 5e-5, lrPatience: 10 };
