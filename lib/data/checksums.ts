/**
 * The checksum ledger of a data folder: `checksums.sha256`, in `sha256sum` format, one line per
 * file this project downloaded (or checked and adopted) there. A line is appended and flushed to
 * disk (fsync) before the file takes its final name, so a run killed at any moment loses at most
 * the file in flight: every file under a final name has its line. A path recorded twice counts by
 * its last line; {@link ChecksumLedger.compact} rewrites the ledger without the repeats.
 *
 * The ledger's presence also says something: a folder with a ledger is one this project fetched
 * into, so a file there without a line was not put there by a finished download.
 * @module
 */
import { join } from "node:path";

/** The ledger's file name in its folder. */
export const LEDGER_NAME = "checksums.sha256";

/** The checksum ledger of one folder. */
export class ChecksumLedger {
  readonly #path: string;
  readonly #entries: Map<string, string>;
  #file: Deno.FsFile | undefined;
  // appends from parallel downloads, one at a time so lines never interleave
  #queue: Promise<void> = Promise.resolve();
  #appended = false;

  private constructor(readonly dir: string, entries: Map<string, string>, readonly found: boolean) {
    this.#path = join(dir, LEDGER_NAME);
    this.#entries = entries;
  }

  /** Read the ledger of `dir` (an absent ledger is an empty one; nothing is created yet). */
  static async open(dir: string): Promise<ChecksumLedger> {
    const entries = new Map<string, string>();
    let found = true;
    try {
      for (const line of (await Deno.readTextFile(join(dir, LEDGER_NAME))).split("\n")) {
        // a line cut short by a kill does not match and is ignored
        const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trimEnd());
        if (m) entries.set(m[2], m[1]);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      found = false;
    }
    return new ChecksumLedger(dir, entries, found);
  }

  /** The recorded SHA-256 of a path relative to the folder. */
  get(relPath: string): string | undefined {
    return this.#entries.get(relPath);
  }

  /** How many paths are recorded. */
  get size(): number {
    return this.#entries.size;
  }

  /** Append `sha256  relPath` and flush it to disk; resolves once it is durable. */
  record(relPath: string, sha256: string): Promise<void> {
    this.#entries.set(relPath, sha256);
    const line = new TextEncoder().encode(`${sha256}  ${relPath}\n`);
    const next = this.#queue.then(async () => {
      const file = await this.#openForAppend();
      let written = 0;
      while (written < line.length) written += await file.write(line.subarray(written));
      await file.sync();
      this.#appended = true;
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Rewrite the ledger sorted and without repeated paths (atomically); closes it. */
  async compact(): Promise<void> {
    await this.#queue;
    this.#file?.close();
    this.#file = undefined;
    if (!this.#appended) return;
    const lines = [...this.#entries].sort(([a], [b]) => a.localeCompare(b))
      .map(([f, h]) => `${h}  ${f}\n`).join("");
    await writeDurably(this.#path, lines);
    this.#appended = false;
  }

  /** Close without compacting (the appended lines are already on disk). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  async #openForAppend(): Promise<Deno.FsFile> {
    if (this.#file) return this.#file;
    await Deno.mkdir(this.dir, { recursive: true });
    this.#file = await Deno.open(this.#path, { append: true, create: true });
    return this.#file;
  }
}

/** Write a file whole or not at all: to a temporary name, flushed to disk, then renamed. */
export async function writeDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, text);
  const file = await Deno.open(tmp, { read: true, write: true });
  try {
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}
