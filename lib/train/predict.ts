/**
 * Running a model over a whole split: the scores, the labels and the records behind them, in
 * one place so evaluation never mixes up the order.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../data/pipeline.ts";
import { Progress } from "../progress.ts";

/** Anything that yields the batches of an epoch (a {@link BatchPipeline}, cached features …). */
export interface BatchSource<R> {
  readonly batchesPerEpoch: number;
  batches(epoch?: number): AsyncGenerator<Batch<R>>;
}

/** Model outputs over a split. */
export interface Predictions<R> {
  /** scores[i][c]: output c for image i (probabilities). */
  readonly scores: number[][];
  readonly labels: number[][];
  readonly records: R[];
}

/** Predict every batch of `source` (inference mode: moving batch-norm statistics). */
export async function predict<R>(
  model: tf.LayersModel,
  source: BatchSource<R>,
  options: { label?: string; progress?: boolean } = {},
): Promise<Predictions<R>> {
  const progress = options.progress === false
    ? undefined
    : new Progress(options.label ?? "predict", source.batchesPerEpoch, { unit: "batch" });
  const scores: number[][] = [], labels: number[][] = [], records: R[] = [];
  for await (const batch of source.batches(0)) {
    try {
      const out = tf.tidy(() => model.predict(batch.x) as tf.Tensor2D);
      const [p, y] = [await out.array(), await batch.y.array()];
      out.dispose();
      scores.push(...p);
      labels.push(...y);
      records.push(...batch.records);
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    progress?.tick();
  }
  await progress?.finish();
  return { scores, labels, records };
}
