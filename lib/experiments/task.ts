/**
 * The one task type of the experiments: "train or fit something on a split", in the spirit of
 * d2l's `Trainer.fit(model, data)`. What is trained differs — a whole network (`trainArm`), a
 * head on frozen features (`trainHead`) — the task does not.
 * @module
 */
import type { Profile } from "../config.ts";
import type { XrayRecord } from "../data/record.ts";

/** A split to learn from, how to read its labels, and the run's size and seed. */
export interface SplitTask<R extends XrayRecord> {
  /** A record's yes/no label per output. */
  readonly labels: (record: R) => number[];
  readonly train: readonly R[];
  /** Picks the kept epoch (best validation AUC) and the thresholds. */
  readonly val: readonly R[];
  readonly test: readonly R[];
  /** Batch size, epochs, resamples. */
  readonly profile: Profile;
  readonly seed: number;
  /** Binary tasks: the positive class, whose minority side is oversampled (as the study). */
  readonly oversample?: (record: R) => boolean;
}
