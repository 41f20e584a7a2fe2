/**
 * Decoded images at one side, so each file is decoded once per run no matter how many epochs
 * read it. Memory is bounded: up to a budget the images stay in memory; beyond it the least
 * recently used go to a file on disk (decoded bytes, read back as they were written) and come
 * back from there. At the paper profile that is the difference between 112,120 images × 224²
 * bytes (5.6 GB) held for the whole process and a fixed budget; below the budget nothing
 * changes. Bad files are remembered too, so they are reported once.
 * @module
 */
import { join } from "node:path";
import { cacheDir, env } from "../config.ts";
import { Progress } from "../progress.ts";
import { DecodedStore } from "./_decoded_store.ts";
import { decodeGrey, type GreyImage, ImageError } from "./images.ts";

/** Decoded images kept in memory by default: `XRAY_IMAGE_MEMORY_MB`, else 1 GiB. */
export function defaultImageMemoryBytes(
  setting: string | undefined = env("XRAY_IMAGE_MEMORY_MB"),
): number {
  if (setting === undefined || setting.trim() === "") return 1024 * 2 ** 20;
  const mb = Number(setting);
  if (!Number.isFinite(mb) || mb < 0) {
    throw new Error(`XRAY_IMAGE_MEMORY_MB="${setting}": expected a number of MiB (≥ 0)`);
  }
  return mb * 2 ** 20;
}

/** Options for {@link ImageCache}. */
export interface ImageCacheOptions {
  /**
   * Bytes of decoded images kept in memory (default {@link defaultImageMemoryBytes}); at least
   * one image is. Images beyond it are kept on disk.
   */
  readonly memoryBytes?: number;
  /** Folder of the on-disk file, which is nameless and gone with the process (default `<cache>/decoded`). */
  readonly spillDir?: string;
  /**
   * How a file becomes a grey image at the side (default {@link decodeGrey}); e.g. images
   * decoded elsewhere and carried as pixels, where no image decoder is installed.
   */
  readonly decode?: (path: string, side: number) => Promise<GreyImage>;
}

/** What a cache did: each file should be decoded once. */
export interface ImageCacheStats {
  readonly decoded: number;
  /** Requests served without decoding (from memory or disk). */
  readonly hits: number;
  readonly failed: number;
  /** Images held in memory now. */
  readonly inMemory: number;
  /** Images written to the on-disk file (each at most once). */
  readonly onDisk: number;
  /** Requests served from the on-disk file. */
  readonly diskReads: number;
}

/** Decoded images at one side, keyed by file path, within a memory budget. */
export class ImageCache {
  readonly side: number;
  /** Images the memory budget holds. */
  readonly capacity: number;
  // resolved images, least recently used first (a Map keeps insertion order)
  readonly #memory = new Map<string, GreyImage>();
  readonly #pending = new Map<string, Promise<GreyImage>>();
  readonly #errors = new Map<string, ImageError>();
  readonly #store: DecodedStore;
  readonly #decode: (path: string, side: number) => Promise<GreyImage>;
  #decoded = 0;
  #hits = 0;
  #diskReads = 0;

  constructor(side: number, options: ImageCacheOptions = {}) {
    this.side = side;
    const budget = options.memoryBytes ?? defaultImageMemoryBytes();
    this.capacity = Math.max(1, Math.floor(budget / (side * side)));
    this.#store = new DecodedStore(options.spillDir ?? join(cacheDir(), "decoded"), side * side);
    this.#decode = options.decode ?? decodeGrey;
  }

  /** The image at this cache's side; decodes on first use. @throws ImageError */
  get(path: string): Promise<GreyImage> {
    const error = this.#errors.get(path);
    if (error) return Promise.reject(error);
    const image = this.#memory.get(path);
    if (image) {
      this.#hits++;
      this.#memory.delete(path); // most recently used: to the end
      this.#memory.set(path, image);
      return Promise.resolve(image);
    }
    const pending = this.#pending.get(path);
    if (pending) {
      this.#hits++;
      return pending;
    }
    const stored = this.#store.read(path);
    if (stored) {
      this.#hits++;
      this.#diskReads++;
      const restored = { side: this.side, data: stored };
      this.#keep(path, restored);
      return Promise.resolve(restored);
    }
    const decoding = this.#decode(path, this.side).then(
      (decoded) => {
        this.#pending.delete(path);
        this.#decoded++;
        this.#keep(path, decoded);
        return decoded;
      },
      (e) => {
        this.#pending.delete(path);
        if (e instanceof ImageError) this.#errors.set(path, e);
        throw e;
      },
    );
    this.#pending.set(path, decoding);
    return decoding;
  }

  /** Whether a path was decoded (or found unreadable) already. */
  has(path: string): boolean {
    return this.#memory.has(path) || this.#pending.has(path) || this.#store.has(path) ||
      this.#errors.has(path);
  }

  /**
   * Decode every path (two at a time, the decoder is multi-threaded), showing progress.
   * Returns the files that failed, with why; the rest are cached.
   */
  async preload(
    paths: readonly string[],
    options: { label?: string; concurrency?: number; progress?: boolean } = {},
  ): Promise<ImageError[]> {
    // nothing to show when every image is already decoded
    const cached = paths.every((p) => this.has(p));
    const progress = options.progress === false || cached
      ? undefined
      : new Progress(options.label ?? `decode ${this.side}px`, paths.length, { unit: "img" });
    const failures: ImageError[] = [];
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const path = paths[next++];
        try {
          await this.get(path);
        } catch (e) {
          if (!(e instanceof ImageError)) throw e;
          failures.push(e);
        }
        progress?.tick();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
    await progress?.finish(failures.length ? `${failures.length} unreadable` : "");
    return failures;
  }

  /** Decode counts: each file should be decoded once. */
  get stats(): ImageCacheStats {
    return {
      decoded: this.#decoded,
      hits: this.#hits,
      failed: this.#errors.size,
      inMemory: this.#memory.size,
      onDisk: this.#store.size,
      diskReads: this.#diskReads,
    };
  }

  /** Free the memory and the on-disk file; later requests decode again. */
  close(): void {
    this.#memory.clear();
    this.#store.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // Hold an image in memory; past the budget, the least recently used move to disk.
  #keep(path: string, image: GreyImage): void {
    this.#memory.set(path, image);
    if (this.#memory.size <= this.capacity) return;
    for (const [oldest, old] of this.#memory) {
      if (this.#memory.size <= this.capacity) break;
      this.#store.write(oldest, old.data);
      this.#memory.delete(oldest);
    }
  }
}
