/**
 * Downloading one file the careful way: bytes go to `<dest>.part` (a partial one left by an
 * interrupted run is resumed with an HTTP Range request), dropped connections are retried, and
 * only a complete file that passes its check — its pin, or a format check — takes its final
 * name, after the caller has recorded its checksum. A complete download that fails is set aside
 * (nothing is overwritten), so the next attempt starts afresh.
 * @module
 */
import { dirname } from "node:path";
import type { Progress } from "../progress.ts";
import { checkPin, gitBlobId, sha256File } from "./verify.ts";

export { gitBlobId, sha256File };

/** One file to fetch. */
export interface DownloadItem {
  readonly url: string;
  /** Final path on disk. */
  readonly dest: string;
  /** Expected SHA-256 (hex). Without it the file's hash is computed and returned. */
  readonly sha256?: string;
  /** Expected git blob id (hex SHA-1 of "blob <size>\0" + content), where no SHA-256 is known. */
  readonly gitBlob?: string;
  /** Expected size in bytes, where known. */
  readonly bytes?: number;
}

/** What happened to one file. */
export interface DownloadResult {
  readonly dest: string;
  readonly status: "downloaded" | "resumed" | "present";
  readonly sha256: string;
  readonly bytes: number;
}

/** Raised when a downloaded (or present) file differs from its pin. */
export class ChecksumError extends Error {
  constructor(
    readonly dest: string,
    readonly expected: string,
    readonly actual: string,
    readonly keptAt: string | undefined,
    /** What was compared ("SHA-256", "git blob id", "size"). */
    readonly what = "SHA-256",
  ) {
    super(
      `${dest}: ${what} mismatch (expected ${expected}, got ${actual}). ` +
        (keptAt
          ? `The downloaded bytes were kept aside at ${keptAt}; nothing was overwritten.`
          : "The existing file was left as it is."),
    );
    this.name = "ChecksumError";
  }
}

/** Raised when a complete download fails its format check (no pin to compare with). */
export class RejectedError extends Error {
  constructor(readonly dest: string, readonly problem: string, readonly keptAt: string) {
    super(`${dest}: the download is ${problem}; kept aside at ${keptAt}`);
    this.name = "RejectedError";
  }
}

/** Raised for an HTTP error status or a connection that keeps failing; names the URL. */
export class DownloadError extends Error {
  constructor(
    readonly url: string,
    problem: string,
    readonly status?: number,
    /** The host gave no response at all (offline, blocked, wrong address). */
    readonly unreachable = false,
  ) {
    super(`${url}: ${problem}`);
    this.name = "DownloadError";
  }
}

// fetch() rejected before any response: the host is unreachable, not the transfer broken
class NoResponse extends Error {}
// the local disk refused a write: retrying the network will not help
class LocalWriteError extends Error {}

/** Options for {@link downloadFile}. */
export interface DownloadOptions {
  /** Attempts after a dropped connection, each resuming where the last stopped (default 4). */
  readonly retries?: number;
  /** Progress in bytes; its total should be the expected size or 0 when unknown. */
  readonly progress?: Progress;
  /** Called with bytes received, for callers that aggregate progress over many files. */
  readonly onBytes?: (n: number) => void;
  readonly fetch?: typeof fetch;
  /** Base delay between retries in ms (doubles each time; default 500). */
  readonly retryDelayMs?: number;
  /** Where a complete download that fails its check goes (default `<dest>.sha256-mismatch`). */
  readonly asideAs?: string;
  /** A format check of the complete `.part` (unpinned files): a problem in words, or undefined. */
  readonly check?: (part: string) => Promise<string | undefined>;
  /**
   * Called with the verified file's SHA-256 before it takes its final name (to record it), so
   * that no file ever has a final name without its record.
   */
  readonly beforeRename?: (sha256: string) => Promise<void>;
}

/**
 * Fetch `item.url` to `item.dest`. Bytes go to `<dest>.part` first; a `.part` left by an
 * interrupted run is resumed with `Range: bytes=<size>-`. Only a complete file that matches its
 * pin (or passes `check`) is moved to `dest`; one that does not is moved to `asideAs` and the
 * error names it. A file already at `dest` is hashed and returned as "present".
 */
export async function downloadFile(
  item: DownloadItem,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const existing = await sizeOf(item.dest);
  if (existing !== undefined) {
    const sha256 = await sha256File(item.dest);
    if (item.sha256 && sha256 !== item.sha256) {
      throw new ChecksumError(item.dest, item.sha256, sha256, undefined);
    }
    return { dest: item.dest, status: "present", sha256, bytes: existing };
  }
  try {
    await Deno.mkdir(dirname(item.dest), { recursive: true });
  } catch (e) {
    throw new DownloadError(
      item.url,
      `cannot create ${dirname(item.dest)}: ${(e as Error).message}`,
    );
  }
  const part = `${item.dest}.part`;
  const resumedFrom = (await sizeOf(part)) ?? 0;
  await fetchWithRetries(item.url, part, options);
  const aside = options.asideAs ?? `${item.dest}.sha256-mismatch`;
  const pinned = item.sha256 !== undefined || item.gitBlob !== undefined;
  let sha256: string;
  if (pinned || item.bytes !== undefined) {
    const check = await checkPin(part, item);
    if (!check.ok) {
      await setAside(part, aside);
      throw new ChecksumError(item.dest, check.expected!, check.actual!, aside, check.what);
    }
    sha256 = check.sha256;
  } else sha256 = await sha256File(part);
  const problem = await options.check?.(part);
  if (problem) {
    await setAside(part, aside);
    throw new RejectedError(item.dest, problem, aside);
  }
  await options.beforeRename?.(sha256);
  await Deno.rename(part, item.dest);
  const bytes = (await sizeOf(item.dest))!;
  return { dest: item.dest, status: resumedFrom > 0 ? "resumed" : "downloaded", sha256, bytes };
}

/** Move a file out of the way (its folder created as needed); an older one there is replaced. */
export async function setAside(path: string, aside: string): Promise<void> {
  await Deno.mkdir(dirname(aside), { recursive: true });
  await Deno.rename(path, aside);
}

// Download into `part`, retrying dropped connections (each retry resumes).
async function fetchWithRetries(
  url: string,
  part: string,
  options: DownloadOptions,
): Promise<void> {
  const retries = options.retries ?? 4;
  const delay = options.retryDelayMs ?? 500;
  for (let attempt = 0;; attempt++) {
    try {
      await fetchInto(url, part, options);
      return;
    } catch (e) {
      if (e instanceof LocalWriteError) throw new DownloadError(url, e.message);
      const fatal = e instanceof DownloadError && e.status !== undefined && e.status < 500;
      // a host that does not answer twice is not retried further: offline is not a glitch
      if (e instanceof NoResponse && attempt >= Math.min(1, retries)) {
        throw new DownloadError(url, `no response (${e.message})`, undefined, true);
      }
      if (fatal || attempt >= retries) {
        if (e instanceof DownloadError) throw e;
        throw new DownloadError(
          url,
          `failed after ${attempt + 1} attempts (${(e as Error).message}); the partial file ` +
            `${part} is kept and the next run resumes it`,
        );
      }
      await new Promise((r) => setTimeout(r, delay * 2 ** attempt));
    }
  }
}

// One request: continue `part` from its current size, or start over when the server ignores
// the range. Throws on a dropped connection so the caller can retry (and resume).
async function fetchInto(url: string, part: string, options: DownloadOptions): Promise<void> {
  const offset = (await sizeOf(part)) ?? 0;
  const headers: HeadersInit = offset > 0 ? { Range: `bytes=${offset}-` } : {};
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers });
  } catch (e) {
    throw new NoResponse((e as Error).message.split("\n")[0]);
  }
  if (response.status === 416 && offset > 0) {
    await response.body?.cancel(); // the part already holds the whole file
    return;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DownloadError(url, `HTTP ${response.status} ${response.statusText}`, response.status);
  }
  const append = response.status === 206 && offset > 0;
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(length)) options.progress?.setTotal(length + (append ? offset : 0));
  if (append) options.progress?.set(offset);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(part, { write: true, create: true, append, truncate: !append });
  } catch (e) {
    await response.body?.cancel();
    throw new LocalWriteError(`cannot write ${part}: ${(e as Error).message}`);
  }
  try {
    for await (const chunk of response.body ?? []) {
      try {
        await writeAll(file, chunk);
      } catch (e) {
        throw new LocalWriteError(`cannot write ${part}: ${(e as Error).message}`);
      }
      options.progress?.tick(chunk.length);
      options.onBytes?.(chunk.length);
    }
  } finally {
    file.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? info.size : undefined;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}
