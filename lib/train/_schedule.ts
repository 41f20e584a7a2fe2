/**
 * What happens between epochs, as plain data so a checkpoint can store it: lower the learning
 * rate when the validation loss stalls (ReduceLROnPlateau), keep the epoch with the best
 * validation AUC, and stop when that has not improved for a while (early stopping).
 * @module
 */

/** Settings of the epoch schedule. */
export interface ScheduleOptions {
  /** Epochs without a lower validation loss before the rate is cut (study: 5 DenseNet, 1 ResNet). */
  readonly lrPatience: number;
  /** Factor the rate is multiplied by (default 0.1). */
  readonly lrFactor?: number;
  /** The rate is never cut below this (default 1e-7). */
  readonly minLearningRate?: number;
  /** Epochs without a better validation AUC before stopping (default: never stop early). */
  readonly stopPatience?: number;
  /**
   * Keep the last epoch's weights instead of the best by validation AUC: for a control whose
   * validation AUC means nothing (shuffled labels) and that must get a fixed number of updates.
   */
  readonly keepLast?: boolean;
}

/** The schedule's memory (serialisable). */
export interface ScheduleState {
  bestLoss: number;
  epochsSinceBestLoss: number;
  bestAuc: number;
  bestEpoch: number;
  epochsSinceBestAuc: number;
}

/** What to do after an epoch. */
export interface ScheduleDecision {
  /** The epoch has the best validation AUC so far: keep its weights. */
  readonly improved: boolean;
  /** The new learning rate (equal to the old one when not cut). */
  readonly learningRate: number;
  readonly stop: boolean;
}

/** A fresh schedule state. */
export function initialSchedule(): ScheduleState {
  return {
    bestLoss: Infinity,
    epochsSinceBestLoss: 0,
    bestAuc: -Infinity,
    bestEpoch: -1,
    epochsSinceBestAuc: 0,
  };
}

/** Update `state` with an epoch's validation loss and AUC and decide what to do. */
export function afterEpoch(
  state: ScheduleState,
  epoch: number,
  valLoss: number,
  valAuc: number,
  learningRate: number,
  options: ScheduleOptions,
): ScheduleDecision {
  let rate = learningRate;
  if (valLoss < state.bestLoss) {
    state.bestLoss = valLoss;
    state.epochsSinceBestLoss = 0;
  } else if (++state.epochsSinceBestLoss >= options.lrPatience) {
    rate = Math.max(learningRate * (options.lrFactor ?? 0.1), options.minLearningRate ?? 1e-7);
    state.epochsSinceBestLoss = 0;
  }
  // NaN (a validation set without both classes) never counts as an improvement
  const improved = options.keepLast === true || valAuc > state.bestAuc ||
    (state.bestEpoch < 0 && Number.isNaN(valAuc));
  if (improved) {
    state.bestAuc = Number.isNaN(valAuc) ? -Infinity : valAuc;
    state.bestEpoch = epoch;
    state.epochsSinceBestAuc = 0;
  } else {
    state.epochsSinceBestAuc++;
  }
  const stop = options.stopPatience !== undefined &&
    state.epochsSinceBestAuc >= options.stopPatience;
  return { improved, learningRate: rate, stop };
}
