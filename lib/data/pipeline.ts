/**
 * Batches for training and evaluation: cached grey images → (augmented) → the model's input
 * tensor, with labels. Seeded: the same seed and epoch give the same batches. Tensors are
 * the caller's to dispose, or use {@link BatchPipeline.forEachBatch} which does it.
 * @module
 */
import { tf } from "../backend/mod.ts";
import { deriveSeed, Rng } from "../rng.ts";
import { augment, type AugmentOptions } from "./augment.ts";
import { ImageCache } from "./cache.ts";
import type { ImageError } from "./images.ts";
import { type ModelName, writeModelInput } from "./normalise.ts";
import type { SkippedRow, XrayRecord } from "./record.ts";

/**
 * One batch: inputs (images [n, side, side, 3], or feature vectors [n, d]), targets
 * [n, classes], and the records behind them.
 */
export interface Batch<R> {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor2D;
  readonly records: readonly R[];
}

/** Options for {@link BatchPipeline}. */
export interface PipelineOptions<R> {
  readonly side: number;
  readonly model: ModelName;
  readonly batchSize: number;
  /** Target vector of a record (e.g. `[r.covid ? 1 : 0]` or a 14-finding vector). */
  readonly labels: (record: R) => number[];
  /** Augmentation ranges; `false` (default) for evaluation. */
  readonly augment?: AugmentOptions | false;
  /** Shuffle the order each epoch (default: true when augmenting). */
  readonly shuffle?: boolean;
  readonly seed: number;
  /** Share a cache between pipelines of the same side (e.g. train and validation). */
  readonly cache?: ImageCache;
  /**
   * Which records an epoch uses, and how often (e.g. {@link oversampleMinority}); the result
   * is then shuffled. Default: every record once.
   */
  readonly sampler?: (records: readonly R[], rng: Rng) => R[];
}

/**
 * The study's class balancing: repeat images of the rarer class (drawn at random, seeded)
 * until both classes are equally many. `positive` says which class a record belongs to.
 */
export function oversampleMinority<R>(
  positive: (record: R) => boolean,
): (records: readonly R[], rng: Rng) => R[] {
  return (records, rng) => {
    const pos = records.filter(positive), neg = records.filter((r) => !positive(r));
    const [minority, majority] = pos.length < neg.length ? [pos, neg] : [neg, pos];
    if (minority.length === 0) return [...records];
    const extra = Array.from(
      { length: majority.length - minority.length },
      () => minority[rng.int(minority.length)],
    );
    return [...records, ...extra];
  };
}

/**
 * The records of one epoch: the sampler's choice (else every record once), shuffled by
 * (seed, epoch) when asked. Shared by every batch source, so images and cached features are
 * drawn in the same order.
 */
export function epochRecords<R>(
  records: readonly R[],
  options: { seed: number; shuffle: boolean; sampler?: (records: readonly R[], rng: Rng) => R[] },
  epoch: number,
): R[] {
  const rng = new Rng(deriveSeed(options.seed, "order", epoch));
  const chosen = options.sampler ? options.sampler(records, rng) : [...records];
  return options.shuffle ? rng.shuffle(chosen) : chosen;
}

/** Turns records into batches of tensors. Call {@link prepare} once before iterating. */
export class BatchPipeline<R extends XrayRecord> {
  readonly options: PipelineOptions<R>;
  readonly cache: ImageCache;
  #usable: R[] | undefined;
  #skipped: SkippedRow[] = [];

  constructor(records: readonly R[], options: PipelineOptions<R>) {
    if (options.cache && options.cache.side !== options.side) {
      throw new Error(
        `cache side ${options.cache.side} differs from pipeline side ${options.side}`,
      );
    }
    this.options = options;
    this.cache = options.cache ?? new ImageCache(options.side);
    this.#records = records;
  }

  readonly #records: readonly R[];

  /**
   * Decode every image once. Unreadable images are left out and reported in
   * {@link skipped} (policy: skip and report), never silently dropped.
   */
  async prepare(label = "decode images"): Promise<this> {
    const failures = await this.cache.preload(this.#records.map((r) => r.path), { label });
    const bad = new Map<string, ImageError>(failures.map((f) => [f.file, f]));
    this.#usable = this.#records.filter((r) => !bad.has(r.path));
    this.#skipped = this.#records.filter((r) => bad.has(r.path)).map((r) => ({
      file: r.path,
      imageId: r.imageId,
      patientId: r.patientId,
      reason: "bad-image",
      detail: bad.get(r.path)!.problem,
    }));
    return this;
  }

  /** Records that decoded; the order batches draw from. */
  get records(): readonly R[] {
    if (!this.#usable) throw new Error("call prepare() before using the pipeline");
    return this.#usable;
  }

  /** Images left out because they could not be decoded. */
  get skipped(): readonly SkippedRow[] {
    return this.#skipped;
  }

  /** Batches per epoch (the last may be smaller). */
  get batchesPerEpoch(): number {
    return Math.ceil(this.epochLength / this.options.batchSize);
  }

  /** Images per epoch (more than the records when the sampler oversamples). */
  get epochLength(): number {
    return this.options.sampler
      ? this.epochOrder(0).length // samplers keep the count fixed across epochs
      : this.records.length;
  }

  /** The record order of an epoch: sampled, then shuffled by (seed, epoch) when shuffling. */
  epochOrder(epoch: number): R[] {
    const shuffle = this.options.shuffle ?? (this.options.augment ?? false) !== false;
    return epochRecords(this.records, { ...this.options, shuffle }, epoch);
  }

  /** Yield the batches of one epoch. The caller owns (and must dispose) each batch's tensors. */
  async *batches(epoch = 0): AsyncGenerator<Batch<R>> {
    const order = this.epochOrder(epoch);
    const { batchSize } = this.options;
    for (let start = 0; start < order.length; start += batchSize) {
      const records = order.slice(start, start + batchSize);
      yield await this.#assemble(records, epoch, start);
    }
  }

  /** Run `fn` on every batch of an epoch, disposing the tensors after each call. */
  async forEachBatch(
    epoch: number,
    fn: (batch: Batch<R>, index: number) => void | Promise<void>,
  ): Promise<void> {
    let index = 0;
    for await (const batch of this.batches(epoch)) {
      try {
        await fn(batch, index++);
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
    }
  }

  /** One batch of the given records (decoded, no augmentation); the caller disposes it. */
  assemble(records: readonly R[]): Promise<Batch<R>> {
    return this.#assemble(records, 0, 0, false);
  }

  async #assemble(
    records: readonly R[],
    epoch: number,
    start: number,
    augmentIt = true,
  ): Promise<Batch<R>> {
    const { side, model, labels } = this.options;
    const pixels = side * side * 3;
    const x = new Float32Array(records.length * pixels);
    const targets = records.map(labels);
    const width = targets[0]?.length ?? 0;
    for (let i = 0; i < records.length; i++) {
      let image = await this.cache.get(records[i].path);
      if (this.options.augment && augmentIt) {
        // one generator per (seed, epoch, position, image): independent of batch composition,
        // different for each copy of an oversampled image, and keyed by the image's id within
        // its dataset — never its path, which changes with where the data root lies
        const id = `${records[i].source}/${records[i].imageId}`;
        const rng = new Rng(deriveSeed(this.options.seed, "augment", epoch, start + i, id));
        image = augment(image, rng, this.options.augment);
      }
      writeModelInput(image, model, x, i * pixels);
      if (targets[i].length !== width) {
        throw new Error(
          `label vector of ${records[i].path} has ${targets[i].length} entries, expected ${width}`,
        );
      }
    }
    return {
      x: tf.tensor4d(x, [records.length, side, side, 3]),
      y: tf.tensor2d(targets.flat(), [records.length, width]),
      records,
    };
  }
}
