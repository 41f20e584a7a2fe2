/**
 * Feature extraction with a cache, for frozen-backbone (feature-extraction) runs: the backbone
 * runs once per image and weights, the pooled features are stored on disk keyed by the model's
 * weights, the input side and preprocessing, and each image file; heads then train on them in
 * seconds. A changed image or weight misses the cache instead of returning stale features.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { cacheDir } from "../config.ts";
import { type Batch, type BatchPipeline, epochRecords } from "../data/pipeline.ts";
import type { XrayRecord } from "../data/record.ts";
import { deriveSeed, Rng } from "../rng.ts";
import { Progress } from "../progress.ts";
import { readFeatureFile, writeFeatureFile } from "./_feature_file.ts";
import { linearInitializer } from "../models/backbone.ts";
import { featureModel } from "../models/build.ts";
import type { BatchSource } from "./predict.ts";

/** Pooled backbone features of records, by image path. */
export interface FeatureTable {
  readonly dim: number;
  readonly byPath: ReadonlyMap<string, Float32Array>;
  /** Images computed now (the rest came from the cache). */
  readonly computed: number;
}

/**
 * The globally average-pooled last feature maps of `model`'s backbone for every record of an
 * (unaugmented) pipeline, from the cache where possible.
 */
export async function extractFeatures<R extends XrayRecord>(
  model: tf.LayersModel,
  pipeline: BatchPipeline<R>,
  options: { label?: string; cache?: boolean } = {},
): Promise<FeatureTable> {
  if (pipeline.options.augment) {
    throw new Error("features are cached per image: extract them from an unaugmented pipeline");
  }
  const key = await modelKey(model, pipeline);
  const file = join(cacheDir(), "features", key);
  const stored = options.cache === false ? new Map() : await readFeatureFile(file);
  const byPath = new Map<string, Float32Array>();
  const missing: R[] = [];
  const imageKeys = new Map<string, string>();
  for (const r of pipeline.records) {
    const k = await imageKey(r.path);
    imageKeys.set(r.path, k);
    const hit = stored.get(k);
    if (hit) byPath.set(r.path, hit);
    else missing.push(r);
  }
  let dim = byPath.size ? byPath.values().next().value!.length : 0;
  if (missing.length) {
    const extractor = featureModel(model);
    const progress = new Progress(options.label ?? "extract features", missing.length, {
      unit: "img",
    });
    const { batchSize } = pipeline.options;
    for (let i = 0; i < missing.length; i += batchSize) {
      const records = missing.slice(i, i + batchSize);
      const batch = await pipeline.assemble(records);
      try {
        const pooled = tf.tidy(() => tf.mean(extractor.predict(batch.x) as tf.Tensor4D, [1, 2]));
        const values = (await pooled.data()) as Float32Array;
        dim = pooled.shape[1]!;
        pooled.dispose();
        records.forEach((r, j) => {
          const row = values.slice(j * dim, (j + 1) * dim);
          byPath.set(r.path, row);
          stored.set(imageKeys.get(r.path)!, row);
        });
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      progress.tick(records.length);
    }
    await progress.finish();
    if (options.cache !== false) await writeFeatureFile(file, stored, dim);
  }
  return { dim, byPath, computed: missing.length };
}

/** Batches of cached feature vectors, with the same sampling and order rules as images. */
export class FeatureBatches<R extends XrayRecord> implements BatchSource<R> {
  constructor(
    readonly records: readonly R[],
    readonly features: FeatureTable,
    readonly options: {
      readonly batchSize: number;
      readonly labels: (record: R) => number[];
      readonly seed: number;
      readonly shuffle?: boolean;
      readonly sampler?: (records: readonly R[], rng: Rng) => R[];
    },
  ) {
    for (const r of records) {
      if (!features.byPath.has(r.path)) throw new Error(`no features for ${r.path}`);
    }
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.#order(0).length / this.options.batchSize);
  }

  #order(epoch: number): R[] {
    return epochRecords(
      this.records,
      { ...this.options, shuffle: this.options.shuffle ?? false },
      epoch,
    );
  }

  async *batches(epoch = 0): AsyncGenerator<Batch<R>> {
    const order = this.#order(epoch);
    const { batchSize, labels } = this.options;
    const dim = this.features.dim;
    for (let start = 0; start < order.length; start += batchSize) {
      const records = order.slice(start, start + batchSize);
      const x = new Float32Array(records.length * dim);
      records.forEach((r, i) => x.set(this.features.byPath.get(r.path)!, i * dim));
      const y = records.map(labels);
      yield {
        x: tf.tensor2d(x, [records.length, dim]),
        y: tf.tensor2d(y.flat(), [records.length, y[0].length]),
        records,
      };
    }
  }
}

/** A model of the head alone (dense + sigmoid on pooled features), named as the full model's. */
export function headModel(dim: number, outputs: number, seed = 0): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.dense({
      inputShape: [dim],
      units: outputs,
      activation: "sigmoid",
      name: "predictions",
      kernelInitializer: linearInitializer(dim, deriveSeed(seed, "predictions")),
      biasInitializer: linearInitializer(dim, deriveSeed(seed, "predictions", "bias")),
    })],
  });
}

// Weights, input side and preprocessing define the features.
async function modelKey<R extends XrayRecord>(
  model: tf.LayersModel,
  pipeline: BatchPipeline<R>,
): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`${model.name}|${pipeline.options.side}|${pipeline.options.model}|`);
  for (const w of model.weights) {
    if (w.originalName.startsWith("predictions/")) continue; // the head does not change features
    hash.update(w.originalName);
    hash.update(new Uint8Array(((await w.read().data()) as Float32Array).buffer));
  }
  return hash.digest("hex").slice(0, 24);
}

async function imageKey(path: string): Promise<string> {
  const { size, mtime } = await Deno.stat(path);
  return `${path}|${size}|${mtime?.getTime() ?? 0}`;
}
