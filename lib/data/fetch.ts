/**
 * Fetching what a run needs into the data root: look first (what is there, what is missing,
 * how many bytes), print the plan, then download the missing files — four at a time, each to
 * `*.part`, resumed after a dropped connection, checked against its pin before it takes its
 * name. Files already there are checked against the checksum recorded when this project
 * downloaded them (`checksums.sha256` in their folder); one that no longer matches is
 * reported and the run goes on with the rest, or, with `repair`, it is set aside and fetched
 * again. Nothing is ever overwritten in place.
 * @module
 */
import { dirname, join, relative } from "node:path";
import { Progress } from "../progress.ts";
import {
  ChecksumError,
  DownloadError,
  downloadFile,
  type DownloadResult,
  sha256File,
} from "./download.ts";
import { filesIn } from "./_files.ts";

/** A file's expected content: SHA-256, or (where only that is known) its git blob id. */
export interface Pin {
  readonly sha256?: string;
  readonly gitBlob?: string;
  readonly bytes?: number;
}

/** Pinned checksums by path relative to a source's root. */
export type Pins = Readonly<Record<string, Pin>>;

/** One file to fetch. */
export interface FileSpec {
  readonly url: string;
  /** Final path. */
  readonly dest: string;
  readonly pin?: Pin;
  /** Stored gzipped at the source: fetched as `url`, decompressed, then checked. */
  readonly gunzip?: boolean;
  /**
   * Without it nothing can run (label files, weights). An image that cannot be fetched is
   * not: its loader reports it as missing and the run goes on.
   */
  readonly required?: boolean;
}

/** What a run needs of one source, for the plan and the fetch. */
export interface PlanItem {
  readonly name: string;
  /** The source in words ("github.com/… @ 584034a"). */
  readonly source: string;
  /** The folder its files go to (checksums recorded there), or "" for none. */
  readonly dir: string;
  readonly files: readonly FileSpec[];
  /** An image archive: downloaded, extracted into `dir`, then deleted; a stamp marks it done. */
  readonly archive?: { readonly stamp: string };
  /** Fetched by its own code (e.g. an npm tarball unpacked into the cache). */
  readonly custom?: {
    readonly present: () => Promise<boolean>;
    readonly fetch: () => Promise<void>;
    readonly bytes?: number;
  };
}

/**
 * Where sources are: base URLs by source name, and pins by source name, overriding the pinned
 * public ones (a test's mirror). Unset names fall back to their environment variable, then to
 * the public source.
 */
export interface SourceSettings {
  readonly baseUrls?: Readonly<Record<string, string>>;
  readonly pins?: Readonly<Record<string, Pins>>;
}

/** A source's base URL: the setting, else its environment variable, else the default. */
export function baseUrl(
  settings: SourceSettings,
  name: string,
  envVar: string,
  fallback: string,
): string {
  const fromEnv = (() => {
    try {
      return Deno.env.get(envVar)?.trim() || undefined;
    } catch {
      return undefined;
    }
  })();
  return (settings.baseUrls?.[name] ?? fromEnv ?? fallback).replace(/\/$/, "");
}

/** What is on disk for one plan item. */
export interface ItemState {
  readonly item: PlanItem;
  /** Files present (for an archive: 1 once extracted). */
  readonly present: number;
  readonly missing: readonly FileSpec[];
  /** Bytes of the missing files, where known. */
  readonly missingBytes: number;
  /** Missing files whose size is unknown until the download starts. */
  readonly unknownSizes: number;
  /** For archives: images already in the folder from an existing copy (not from archives). */
  readonly existingCopy?: number;
}

/** Look at the data root: what each item has and lacks (no network, no hashing). */
export async function inspect(items: readonly PlanItem[]): Promise<ItemState[]> {
  const out: ItemState[] = [];
  const archives = items.filter((i) => i.archive);
  // a data root filled by other means (a copy) has images but no archive stamps: use it as is
  const stamps = await Promise.all(archives.map((i) => exists(i.archive!.stamp)));
  const copy = archives.length && !stamps.some(Boolean)
    ? filesIn(join(archives[0].dir, "images")).size
    : 0;
  for (const item of items) {
    if (item.custom) {
      const done = await item.custom.present();
      out.push({
        item,
        present: done ? 1 : 0,
        missing: done ? [] : item.files,
        missingBytes: done ? 0 : item.custom.bytes ?? 0,
        unknownSizes: done || item.custom.bytes !== undefined ? 0 : 1,
      });
      continue;
    }
    if (item.archive) {
      const done = copy > 0 || await exists(item.archive.stamp);
      out.push({
        item,
        present: done ? 1 : 0,
        missing: done ? [] : item.files,
        missingBytes: 0,
        unknownSizes: done ? 0 : 1,
        existingCopy: copy || undefined,
      });
      continue;
    }
    const missing: FileSpec[] = [];
    for (const f of item.files) if (!(await exists(f.dest))) missing.push(f);
    out.push({
      item,
      present: item.files.length - missing.length,
      missing,
      missingBytes: missing.reduce((a, f) => a + (f.pin?.bytes ?? 0), 0),
      unknownSizes: missing.filter((f) => f.pin?.bytes === undefined).length,
    });
  }
  return out;
}

/** The plan as lines of text: per item, what is there, what will be fetched, from where. */
export function planLines(states: readonly ItemState[]): string[] {
  const lines = states.map((s) => {
    const total = s.item.archive || s.item.custom ? 1 : s.item.files.length;
    const what = s.existingCopy
      ? `present: ${s.existingCopy} images of an existing copy (used as they are)`
      : s.missing.length === 0
      ? `present (${s.present} of ${total})`
      : `fetch ${s.missing.length} of ${total} file(s), ${sizeText(s)}`;
    return `  ${s.item.name}: ${what}\n    from ${s.item.source}`;
  });
  const bytes = states.reduce((a, s) => a + s.missingBytes, 0);
  const unknown = states.reduce((a, s) => a + s.unknownSizes, 0);
  const head = bytes === 0 && unknown === 0
    ? "Everything this profile needs is in the data root."
    : `To download: ${formatBytes(bytes)}${
      unknown ? ` plus ${unknown} file(s) whose size the server reports when they start` : ""
    }.`;
  return [...lines, head];
}

/** How one fetch went. */
export interface FetchReport {
  readonly fetched: DownloadResult[];
  /** Present files that no longer match their recorded checksum. */
  readonly corrupt: { file: string; expected: string; actual: string; repaired: boolean }[];
  /** Downloads whose bytes did not match the pin (kept aside as `*.sha256-mismatch`). */
  readonly mismatched: { file: string; keptAt?: string; problem: string; required: boolean }[];
  /** Files that could not be fetched (offline, blocked, HTTP errors), by item. */
  readonly failed: { item: PlanItem; file: FileSpec; problem: string }[];
}

/** Options for {@link fetchItems}. */
export interface FetchOptions {
  /** Set aside and fetch again present files that fail their recorded checksum. */
  readonly repair?: boolean;
  /** Parallel downloads (default 4). */
  readonly concurrency?: number;
  readonly fetch?: typeof fetch;
  readonly retryDelayMs?: number;
  readonly retries?: number;
}

/** Verify what is there, then download what is missing; never throws for a single file. */
export async function fetchItems(
  states: readonly ItemState[],
  options: FetchOptions = {},
): Promise<FetchReport> {
  const report: FetchReport = { fetched: [], corrupt: [], mismatched: [], failed: [] };
  const unreachable = new Set<string>();
  const queue: { item: PlanItem; file: FileSpec }[] = [];
  for (const s of states) {
    if (s.item.archive || s.item.custom) continue;
    const recorded = await readChecksums(s.item.dir);
    for (const file of s.item.files) {
      if (s.missing.includes(file)) queue.push({ item: s.item, file });
      else if (await corrupt(file, s.item.dir, recorded, report, options.repair)) {
        queue.push({ item: s.item, file });
      }
    }
  }
  const progress = new Progress("download", queue.length, { unit: "files" });
  const recordedByDir = new Map<string, Map<string, string>>();
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const { item, file } = queue[next++];
      const host = hostOf(file.url);
      if (unreachable.has(host)) {
        // offline or blocked: say so for every file, without waiting on each
        report.failed.push({ item, file, problem: `not attempted: ${host} gave no response` });
        progress.tick();
        continue;
      }
      const result = await fetchOne(item, file, report, options, unreachable);
      if (result) {
        report.fetched.push(result);
        const map = recordedByDir.get(item.dir) ?? await readChecksums(item.dir);
        recordedByDir.set(item.dir, map.set(relative(item.dir, file.dest), result.sha256));
      }
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  await progress.finish(
    `${report.fetched.length} fetched` +
      (report.failed.length ? `, ${report.failed.length} failed` : ""),
  );
  for (const [dir, map] of recordedByDir) await writeChecksums(dir, map);
  for (const s of states) {
    if (s.item.archive && s.missing.length) await fetchArchive(s.item, report, options);
    if (s.item.custom && s.missing.length) {
      await s.item.custom.fetch().catch((e) =>
        report.failed.push({
          item: s.item,
          file: s.item.files[0],
          problem: e instanceof Error ? e.message : String(e),
        })
      );
    }
  }
  return report;
}

// A present file checked against its recorded checksum; true when it must be fetched again.
async function corrupt(
  file: FileSpec,
  dir: string,
  recorded: Map<string, string>,
  report: FetchReport,
  repair = false,
): Promise<boolean> {
  const expected = recorded.get(relative(dir, file.dest));
  if (!expected) return false; // not downloaded by this project: nothing to compare with
  const actual = await sha256File(file.dest);
  if (actual === expected) return false;
  report.corrupt.push({ file: file.dest, expected, actual, repaired: repair });
  if (repair) await Deno.rename(file.dest, `${file.dest}.corrupt`);
  return repair;
}

async function fetchOne(
  item: PlanItem,
  file: FileSpec,
  report: FetchReport,
  options: FetchOptions,
  unreachable: Set<string>,
): Promise<DownloadResult | undefined> {
  try {
    if (file.gunzip) return await fetchGzipped(file, options);
    return await downloadFile(
      { url: file.url, dest: file.dest, sha256: file.pin?.sha256, gitBlob: file.pin?.gitBlob },
      { fetch: options.fetch, retryDelayMs: options.retryDelayMs, retries: options.retries },
    );
  } catch (e) {
    if (e instanceof ChecksumError) {
      report.mismatched.push({
        file: file.dest,
        keptAt: e.keptAt,
        problem: e.message,
        required: Boolean(file.required),
      });
    } else {
      if (e instanceof DownloadError && e.unreachable) unreachable.add(hostOf(file.url));
      report.failed.push({ item, file, problem: e instanceof Error ? e.message : String(e) });
    }
    return undefined;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// A file stored gzipped at the source: the .gz is fetched, decompressed to a .part file, and
// renamed once the decompressed bytes match the pin (the check that matters: a mirror may
// compress the same file to other bytes).
async function fetchGzipped(file: FileSpec, options: FetchOptions): Promise<DownloadResult> {
  const gz = join(dirname(file.dest), ".downloads", `${file.dest.split("/").pop()}.gz`);
  await downloadFile(
    { url: file.url, dest: gz },
    { fetch: options.fetch, retryDelayMs: options.retryDelayMs, retries: options.retries },
  );
  const part = `${file.dest}.part`;
  const input = await Deno.open(gz, { read: true });
  const output = await Deno.open(part, { write: true, create: true, truncate: true });
  await input.readable.pipeThrough(new DecompressionStream("gzip")).pipeTo(output.writable);
  const sha256 = await sha256File(part);
  if (file.pin?.sha256 && sha256 !== file.pin.sha256) {
    const aside = `${file.dest}.sha256-mismatch`;
    await Deno.rename(part, aside);
    throw new ChecksumError(file.dest, file.pin.sha256, sha256, aside);
  }
  await Deno.rename(part, file.dest);
  await Deno.remove(gz);
  const bytes = (await Deno.stat(file.dest)).size;
  return { dest: file.dest, status: "downloaded", sha256, bytes };
}

async function fetchArchive(item: PlanItem, report: FetchReport, options: FetchOptions) {
  const [file] = item.files;
  const progress = new Progress(item.name, 0, { unit: "B" });
  try {
    await downloadFile({ url: file.url, dest: file.dest }, {
      fetch: options.fetch,
      retryDelayMs: options.retryDelayMs,
      retries: options.retries,
      progress,
    });
  } catch (e) {
    await progress.finish("failed");
    report.failed.push({ item, file, problem: e instanceof Error ? e.message : String(e) });
    return;
  }
  await progress.finish();
  const out = await new Deno.Command("tar", { args: ["-xzf", file.dest, "-C", item.dir] })
    .output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim();
    report.failed.push({ item, file, problem: `extraction failed (tar exit ${out.code}): ${why}` });
    return;
  }
  await Deno.writeTextFile(item.archive!.stamp, new Date().toISOString() + "\n");
  await Deno.remove(file.dest); // the images are out; the archive would double the disk used
}

/** Whether a run can go on: nothing required failed (a missing image is reported, not fatal). */
export function fatal(report: FetchReport): boolean {
  return report.failed.some((f) => f.file.required) ||
    report.mismatched.some((m) => m.required);
}

/**
 * One message for everything that could not be fetched: each item with its source, and the
 * two ways out.
 */
export function blockedMessage(report: FetchReport, command: string): string {
  const byItem = new Map<PlanItem, { count: number; problem: string }>();
  for (const f of report.failed) {
    const e = byItem.get(f.item) ?? { count: 0, problem: f.problem };
    byItem.set(f.item, { ...e, count: e.count + 1 });
  }
  const lines = [...byItem].map(([item, { count, problem }]) =>
    `  - ${item.name}: ${count} file(s) missing, from ${item.source}\n      first error: ${
      problem.split("\n")[0]
    }`
  );
  return [
    `Could not fetch everything this run needs (offline, or a source is blocked):`,
    ...lines,
    "Two ways out:",
    "  1. Point XRAY_DATA_DIR at a data root that already holds these files (a copy from " +
    "another machine, or ../shared/data in this project's development setup).",
    `  2. Run \`${command}\` again where the sources are reachable: finished files are kept and ` +
    "partial ones resume.",
  ].join("\n");
}

async function readChecksums(dir: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  try {
    for (const line of (await Deno.readTextFile(join(dir, "checksums.sha256"))).split("\n")) {
      const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
      if (m) map.set(m[2], m[1]);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return map;
}

async function writeChecksums(dir: string, map: Map<string, string>): Promise<void> {
  const lines = [...map].sort(([a], [b]) => a.localeCompare(b)).map(([f, h]) => `${h}  ${f}`);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = join(dir, "checksums.sha256.tmp");
  await Deno.writeTextFile(tmp, lines.join("\n") + "\n");
  await Deno.rename(tmp, join(dir, "checksums.sha256"));
}

function sizeText(s: ItemState): string {
  return s.unknownSizes === s.missing.length
    ? "size reported by the server"
    : `${formatBytes(s.missingBytes)}${
      s.unknownSizes ? ` + ${s.unknownSizes} of unknown size` : ""
    }`;
}

/** Bytes for people: "31.0 MiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
