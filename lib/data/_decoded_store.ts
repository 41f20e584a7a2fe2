/**
 * Decoded images on disk for one process: fixed-size records (one side² grey image each) in one
 * file that is unlinked as soon as it is opened, so it takes disk space only while the process
 * runs and never outlives it, even after a crash. Reads and writes are synchronous: a seek and
 * its read cannot be interleaved with another image's.
 * @module
 */
import { join } from "node:path";

/** Fixed-size byte records by key, in an anonymous file. */
export class DecodedStore {
  readonly recordBytes: number;
  readonly #dir: string;
  #file: Deno.FsFile | undefined;
  #path = "";
  readonly #slots = new Map<string, number>();

  /** Records of `recordBytes` each, in a file created in `dir` on the first write. */
  constructor(dir: string, recordBytes: number) {
    this.#dir = dir;
    this.recordBytes = recordBytes;
  }

  /** Records held. */
  get size(): number {
    return this.#slots.size;
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** Store a record (once per key; a second write of a key is ignored). */
  write(key: string, data: Uint8Array): void {
    if (data.length !== this.recordBytes) {
      throw new Error(`record of ${data.length} bytes, expected ${this.recordBytes}`);
    }
    if (this.#slots.has(key)) return;
    const file = this.#open();
    const slot = this.#slots.size;
    try {
      file.seekSync(slot * this.recordBytes, Deno.SeekMode.Start);
      for (let done = 0; done < data.length;) done += file.writeSync(data.subarray(done));
    } catch (e) {
      throw new Error(
        `cannot write decoded images to ${this.#path} in ${this.#dir} (${(e as Error).message}): ` +
          `free disk space there (XRAY_CACHE_DIR), or keep more in memory (XRAY_IMAGE_MEMORY_MB)`,
      );
    }
    this.#slots.set(key, slot);
  }

  /** A copy of the record of `key`, or undefined. */
  read(key: string): Uint8Array | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    const file = this.#file!;
    const out = new Uint8Array(this.recordBytes);
    file.seekSync(slot * this.recordBytes, Deno.SeekMode.Start);
    for (let done = 0; done < out.length;) {
      const n = file.readSync(out.subarray(done));
      if (n === null) throw new Error(`${this.#path}: decoded-image file ended early`);
      done += n;
    }
    return out;
  }

  /** Close (and so free) the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#slots.clear();
  }

  #open(): Deno.FsFile {
    if (this.#file) return this.#file;
    Deno.mkdirSync(this.#dir, { recursive: true });
    this.#path = join(this.#dir, `decoded-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.bin`);
    this.#file = Deno.openSync(this.#path, { read: true, write: true, createNew: true });
    try {
      Deno.removeSync(this.#path); // the open file lives on, nameless, until closed
    } catch {
      // a system that cannot remove an open file: remove it when the process ends
      const path = this.#path;
      globalThis.addEventListener("unload", () => {
        try {
          this.#file?.close();
          Deno.removeSync(path);
        } catch { /* already gone */ }
      });
    }
    return this.#file;
  }
}
