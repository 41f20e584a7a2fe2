/**
 * Downloading one file the careful way: resume a partial download with an HTTP Range request,
 * retry dropped connections, verify SHA-256, and never overwrite a good file with a bad one.
 * @module
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { Progress } from "../progress.ts";

/** One file to fetch. */
export interface DownloadItem {
  readonly url: string;
  /** Final path on disk. */
  readonly dest: string;
  /** Expected SHA-256 (hex). Without it the file's hash is computed and returned. */
  readonly sha256?: string;
  /** Expected git blob id (hex SHA-1 of "blob <size>\0" + content), where no SHA-256 is known. */
  readonly gitBlob?: string;
}

/** What happened to one file. */
export interface DownloadResult {
  readonly dest: string;
  readonly status: "downloaded" | "resumed" | "present";
  readonly sha256: string;
  readonly bytes: number;
}

/** Raised when a file's SHA-256 differs from the expected one. */
export class ChecksumError extends Error {
  constructor(
    readonly dest: string,
    readonly expected: string,
    readonly actual: string,
    readonly keptAt: string | undefined,
  ) {
    super(
      `${dest}: SHA-256 mismatch (expected ${expected}, got ${actual}). ` +
        (keptAt
          ? `The downloaded bytes were kept aside at ${keptAt}; nothing was overwritten.`
          : "The existing file was left as it is."),
    );
    this.name = "ChecksumError";
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
}

/**
 * Fetch `item.url` to `item.dest`. Bytes go to `<dest>.part` first; a `.part` left by an
 * interrupted run is resumed with `Range: bytes=<size>-`. Only a complete file whose hash
 * matches is moved to `dest`. A mismatching download is renamed `<dest>.sha256-mismatch`.
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
  await Deno.mkdir(dirname(item.dest), { recursive: true });
  const part = `${item.dest}.part`;
  const resumedFrom = (await sizeOf(part)) ?? 0;
  const retries = options.retries ?? 4;
  const delay = options.retryDelayMs ?? 500;
  for (let attempt = 0;; attempt++) {
    try {
      await fetchInto(item.url, part, options);
      break;
    } catch (e) {
      const fatal = e instanceof DownloadError && e.status !== undefined && e.status < 500;
      // a host that does not answer twice is not retried further: offline is not a glitch
      if (e instanceof NoResponse && attempt >= Math.min(1, retries)) {
        throw new DownloadError(item.url, `no response (${e.message})`, undefined, true);
      }
      if (fatal || attempt >= retries) {
        if (e instanceof DownloadError) throw e;
        throw new DownloadError(
          item.url,
          `failed after ${attempt + 1} attempts (${(e as Error).message}); the partial file ` +
            `${part} is kept and the next run resumes it`,
        );
      }
      await new Promise((r) => setTimeout(r, delay * 2 ** attempt));
    }
  }
  const sha256 = await sha256File(part);
  const blob = item.gitBlob ? await gitBlobId(part) : undefined;
  if ((item.sha256 && sha256 !== item.sha256) || (item.gitBlob && blob !== item.gitBlob)) {
    const aside = `${item.dest}.sha256-mismatch`;
    await Deno.rename(part, aside);
    const [expected, actual] = item.sha256 ? [item.sha256, sha256] : [item.gitBlob!, blob!];
    throw new ChecksumError(item.dest, expected, actual, aside);
  }
  await Deno.rename(part, item.dest);
  const bytes = (await sizeOf(item.dest))!;
  return { dest: item.dest, status: resumedFrom > 0 ? "resumed" : "downloaded", sha256, bytes };
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
  const file = await Deno.open(part, { write: true, create: true, append, truncate: !append });
  try {
    for await (const chunk of response.body ?? []) {
      await writeAll(file, chunk);
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

/** The git blob id of a file: SHA-1 of "blob <size>\0" followed by its bytes. */
export async function gitBlobId(path: string): Promise<string> {
  const { size } = await Deno.stat(path);
  const hash = createHash("sha1").update(`blob ${size}\0`);
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** SHA-256 (hex) of a file, streamed so multi-GB archives need no memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk); // closes the file at the end
  return hash.digest("hex");
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
