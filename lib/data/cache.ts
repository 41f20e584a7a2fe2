/**
 * Decoded images kept in memory at one side, so each file is decoded once per run no matter
 * how many epochs read it. Bad files are remembered too, so they are reported once.
 * @module
 */
import { Progress } from "../progress.ts";
import { decodeGrey, type GreyImage, ImageError } from "./images.ts";

/** Decoded images at one side, keyed by file path. */
export class ImageCache {
  readonly side: number;
  readonly #images = new Map<string, Promise<GreyImage>>();
  readonly #errors = new Map<string, ImageError>();
  #decoded = 0;
  #hits = 0;

  constructor(side: number) {
    this.side = side;
  }

  /** The image at this cache's side; decodes on first use. @throws ImageError */
  get(path: string): Promise<GreyImage> {
    const cached = this.#images.get(path);
    if (cached) {
      this.#hits++;
      return cached;
    }
    const decoding = decodeGrey(path, this.side).then(
      (image) => {
        this.#decoded++;
        return image;
      },
      (e) => {
        if (e instanceof ImageError) this.#errors.set(path, e);
        throw e;
      },
    );
    this.#images.set(path, decoding);
    return decoding;
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
    const cached = paths.every((p) => this.#images.has(p));
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
  get stats(): { decoded: number; hits: number; failed: number } {
    return { decoded: this.#decoded, hits: this.#hits, failed: this.#errors.size };
  }
}
