/**
 * Fetching what a run needs into the data root: look first (what is there, what is missing,
 * how many bytes, what an earlier run left unfinished), print the plan, then check what is there
 * and download what is missing — four at a time, each to `*.part`, resumed after a dropped
 * connection, checked against its pin (or, for archives, extracted whole) before it takes its
 * final name, its checksum recorded in the folder's ledger (`checksums.sha256`) first.
 *
 * Files already there: a required file (labels, split lists, metadata, weights) is checked
 * against its pin on every run; any file with a ledger line against that line; a file without a
 * line in a folder this project fetched into (left by an earlier run that stopped) against its
 * pin, then adopted. A folder this project never fetched into is an existing copy: its files
 * are used as they are (re-encoded images included). A file that fails a check stops the run
 * unless `repair` is set, which sets it aside under `set-aside/` and fetches it again. Nothing is
 * ever overwritten in place.
 * @module
 */
import { basename, dirname, join, relative } from "node:path";
import { env } from "../config.ts";
import { formatBytes } from "../format.ts";
import { Progress } from "../progress.ts";
import {
  ArchiveError,
  type ArchiveStamp,
  checkStamped,
  extractToStaging,
  installStaged,
  readStamp,
  stagedComplete,
  stagingDir,
} from "./archive.ts";
import { ChecksumLedger, LEDGER_NAME } from "./checksums.ts";
import {
  ChecksumError,
  DownloadError,
  downloadFile,
  type DownloadResult,
  RejectedError,
  setAside,
} from "./download.ts";
import { filesIn } from "./_files.ts";
import { checkPin, gunzipInto, imageProblem, isImageName, type Pin } from "./verify.ts";

export type { Pin } from "./verify.ts";

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
   * Without it nothing can run (label files, weights, metadata): one that fails its check
   * stops the run. An image that cannot be fetched does not: its loader reports it as missing.
   */
  readonly required?: boolean;
}

/** What a run needs of one source, for the plan and the fetch. */
export interface PlanItem {
  readonly name: string;
  /** The source in words ("github.com/… @ 584034a", or the mirror a setting points at). */
  readonly source: string;
  /** The folder its files go to (ledger and `set-aside/` there), or "" for none. */
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
  return (overrideOf(settings, name, envVar) ?? fallback).replace(/\/$/, "");
}

/**
 * A source's base URL and its description for the plan: the pinned upstream, or — where a
 * setting points elsewhere — that address, named as a mirror of the upstream.
 */
export function resolveSource(
  settings: SourceSettings,
  name: string,
  envVar: string,
  upstream: { readonly url: string; readonly text: string },
): { base: string; source: string } {
  const override = overrideOf(settings, name, envVar);
  if (override === undefined) {
    return { base: upstream.url.replace(/\/$/, ""), source: upstream.text };
  }
  const base = override.replace(/\/$/, "");
  const from = settings.baseUrls?.[name] !== undefined ? "a setting" : envVar;
  return { base, source: `${base} (${from}; a mirror of ${upstream.text})` };
}

function overrideOf(settings: SourceSettings, name: string, envVar: string): string | undefined {
  const fromEnv = env(envVar)?.trim() || undefined;
  return settings.baseUrls?.[name] ?? fromEnv;
}

/**
 * How a folder is treated: `fresh` (nothing there yet), `fetched` (this project fetched into it:
 * it has a ledger or an unfinished download), `copy` (files put there by other means, used as
 * they are), `read-only copy` (the same, in a folder nobody may write to: nothing is fetched).
 */
export type FolderKind = "fresh" | "fetched" | "copy" | "read-only copy";

/** Where an image archive stands. */
export type ArchiveState =
  | { readonly kind: "done"; readonly stamp: ArchiveStamp }
  | { readonly kind: "copy"; readonly images: number }
  | { readonly kind: "finish" }
  | { readonly kind: "downloaded" }
  | { readonly kind: "leftover"; readonly images: number }
  | { readonly kind: "fetch"; readonly partialBytes?: number };

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
  readonly folder: FolderKind;
  /** Files present without a ledger line in a folder this project fetched into. */
  readonly unrecorded: number;
  /** For archives: where it stands. */
  readonly archive?: ArchiveState;
  /** For archives: images already in the folder from an existing copy (not from archives). */
  readonly existingCopy?: number;
}

/** Look at the data root: what each item has and lacks (no network, no hashing). */
export async function inspect(items: readonly PlanItem[]): Promise<ItemState[]> {
  const out: ItemState[] = [];
  const archiveStates = await inspectArchives(items.filter((i) => i.archive));
  for (const item of items) {
    if (item.custom) {
      const done = await item.custom.present();
      out.push({
        item,
        present: done ? 1 : 0,
        missing: done ? [] : item.files,
        missingBytes: done ? 0 : item.custom.bytes ?? 0,
        unknownSizes: done || item.custom.bytes !== undefined ? 0 : 1,
        folder: done ? "fetched" : "fresh",
        unrecorded: 0,
      });
      continue;
    }
    if (item.archive) {
      const archive = archiveStates.get(item)!;
      const done = archive.kind === "done" || archive.kind === "copy";
      const needsNetwork = archive.kind === "fetch" || archive.kind === "leftover";
      out.push({
        item,
        present: done ? 1 : 0,
        missing: done ? [] : item.files,
        missingBytes: 0,
        unknownSizes: needsNetwork ? 1 : 0,
        folder: archive.kind === "copy" ? "copy" : "fetched",
        unrecorded: 0,
        archive,
        existingCopy: archive.kind === "copy" ? archive.images : undefined,
      });
      continue;
    }
    const missing: FileSpec[] = [];
    for (const f of item.files) if (!(await isFile(f.dest))) missing.push(f);
    const present = item.files.length - missing.length;
    const ledger = await ChecksumLedger.open(item.dir);
    const fetchedHere = ledger.found || await hasUnfinishedDownloads(item);
    const folder: FolderKind = fetchedHere
      ? "fetched"
      : present === 0
      ? "fresh"
      : await isReadOnly(item.dir)
      ? "read-only copy"
      : "copy";
    const unrecorded = folder === "fetched"
      ? item.files.filter((f) => !missing.includes(f) && !ledger.get(relative(item.dir, f.dest)))
        .length
      : 0;
    ledger.close();
    out.push({
      item,
      present,
      missing,
      missingBytes: missing.reduce((a, f) => a + (f.pin?.bytes ?? 0), 0),
      unknownSizes: missing.filter((f) => f.pin?.bytes === undefined).length,
      folder,
      unrecorded,
    });
  }
  return out;
}

// Archives share their dataset folder: a copy has images and no trace of any archive; images
// that no stamp (or finished staging list) accounts for were left by an earlier run.
async function inspectArchives(items: readonly PlanItem[]): Promise<Map<PlanItem, ArchiveState>> {
  const states = new Map<PlanItem, ArchiveState>();
  const byDir = Map.groupBy(items, (i) => i.dir);
  for (const [dir, group] of byDir) {
    const stamps = await Promise.all(group.map((i) => readStamp(i.archive!.stamp)));
    const staged = await Promise.all(
      group.map((i) => stagedComplete(stagingDir(dir, i.files[0].dest))),
    );
    const stagingAny = await Promise.all(
      group.map((i) => isDir(stagingDir(dir, i.files[0].dest))),
    );
    const images = filesIn(join(dir, "images"));
    const traces = stamps.some(Boolean) || stagingAny.some(Boolean) ||
      await isDir(join(dir, "archives"));
    const listed = new Set<string>();
    let legacy = false;
    for (const s of stamps) {
      if (s && !s.entries) legacy = true;
      for (const e of s?.entries ?? []) listed.add(basename(e.path));
    }
    for (const [i, item] of group.entries()) {
      if (!staged[i]) continue;
      const list = await Deno.readTextFile(join(stagingDir(dir, item.files[0].dest), ".complete"));
      for (const m of list.matchAll(/ images\/(.+)$/gm)) listed.add(m[1]);
    }
    const unlisted = legacy ? 0 : [...images].filter((n) => !listed.has(n)).length;
    for (const [i, item] of group.entries()) {
      const stamp = stamps[i];
      states.set(
        item,
        stamp
          ? { kind: "done", stamp }
          : staged[i]
          ? { kind: "finish" }
          : !traces && images.size > 0
          ? { kind: "copy", images: images.size }
          : unlisted > 0
          ? { kind: "leftover", images: unlisted }
          : await isFile(item.files[0].dest)
          ? { kind: "downloaded" }
          : { kind: "fetch", partialBytes: await sizeOf(`${item.files[0].dest}.part`) },
      );
    }
  }
  return states;
}

/** The plan as lines of text: per item, what is there, what will be done, from where. */
export function planLines(
  states: readonly ItemState[],
  options: { repair?: boolean } = {},
): string[] {
  const lines = states.map((s) => {
    const what = s.archive ? archivePlan(s, s.archive, options.repair) : filesPlan(s);
    return `  ${s.item.name}: ${what}\n    from ${s.item.source}`;
  });
  const writable = states.filter((s) => s.folder !== "read-only copy");
  const bytes = writable.reduce((a, s) => a + s.missingBytes, 0);
  const unknown = writable.reduce((a, s) => a + s.unknownSizes, 0);
  const absent = states.filter((s) => s.folder === "read-only copy")
    .reduce((a, s) => a + s.missing.length, 0);
  const toDo = writable.some((s) =>
    s.missing.length || s.unrecorded ||
    (s.archive && s.archive.kind !== "done" && s.archive.kind !== "copy")
  );
  const head = bytes === 0 && unknown === 0
    ? absent
      ? `Nothing to download: the ${absent} file(s) read-only copies lack are not fetched (the ` +
        "loaders report them as missing)."
      : toDo
      ? "Nothing to download."
      : "Everything this profile needs is in the data root."
    : `To download: ${formatBytes(bytes)}${
      unknown ? ` plus ${unknown} file(s) whose size the server reports when they start` : ""
    }.`;
  return [...lines, head];
}

function filesPlan(s: ItemState): string {
  const total = s.item.custom ? 1 : s.item.files.length;
  const fetch = s.missing.length
    ? `fetch ${s.missing.length} of ${total} file(s), ${sizeText(s)}`
    : "";
  let what: string;
  if (s.folder === "read-only copy") {
    what = `present: existing copy, read-only, ${s.present} of ${total} files (used as they ` +
      `are)${
        s.missing.length ? `; ${s.missing.length} absent, not fetched into a read-only folder` : ""
      }`;
  } else if (s.folder === "copy") {
    what = `present: existing copy, ${s.present} of ${total} files (used as they are)` +
      (fetch ? `; ${fetch}` : "");
  } else what = fetch || `present (${s.present} of ${total})`;
  if (s.unrecorded) {
    what += `\n    ${s.unrecorded} file(s) present without a recorded checksum (left by an ` +
      "earlier run that stopped, or put there by other means): each is checked before use";
  }
  return what;
}

function archivePlan(s: ItemState, a: ArchiveState, repair = false): string {
  switch (a.kind) {
    case "done":
      return a.stamp.entries
        ? `present (extracted, ${a.stamp.entries.length} images)` +
          (repair ? "; --repair checks each image's SHA-256" : "")
        : "present (extracted by an earlier version, which kept no per-image checksums)";
    case "copy":
      return `present: ${a.images} images of an existing copy (used as they are)`;
    case "finish":
      return "an interrupted extraction is finished from its staging folder (no download)";
    case "downloaded":
      return `extract ${
        relative(s.item.dir, s.item.files[0].dest)
      } (downloaded earlier; no download)`;
    case "leftover":
      return `${a.images} image(s) in images/ come from no verified archive (an earlier run ` +
        "stopped while extracting): " +
        (repair
          ? "the archive is fetched again and each of them compared with it"
          : "--repair fetches the archive again and compares them; without it the run stops");
    case "fetch":
      return a.partialBytes
        ? `go on from the ${formatBytes(a.partialBytes)} of the archive already downloaded ` +
          "(resumed, or only checked when whole)"
        : "fetch 1 archive, size reported by the server";
  }
}

/** How one fetch went. */
export interface FetchReport {
  readonly fetched: DownloadResult[];
  /** Present files that failed their check (set aside and fetched again when `repaired`). */
  readonly corrupt: { file: string; problem: string; required: boolean; repaired: boolean }[];
  /** Downloads that failed their check (pin or format), kept aside at `keptAt`. */
  readonly mismatched: {
    item: PlanItem;
    file: string;
    keptAt?: string;
    problem: string;
    required: boolean;
  }[];
  /** Files that could not be fetched (offline, blocked, HTTP errors), by item. */
  readonly failed: { item: PlanItem; file: FileSpec; problem: string }[];
  /** Items the run may not touch without `repair` (what an earlier run left unverified). */
  readonly blocked: { item: PlanItem; problem: string }[];
  /** Files present without a ledger line that matched their pin and were recorded. */
  adopted: number;
  /** Files moved out of the way (an earlier run's, replaced by verified ones). */
  readonly setAside: { file: string; keptAt: string }[];
  /** Archives extracted in this run, with their image counts. */
  readonly extracted: { item: PlanItem; images: number }[];
}

/** Options for {@link fetchItems}. */
export interface FetchOptions {
  /** Set aside and fetch again what fails its check, and what an earlier run left unverified. */
  readonly repair?: boolean;
  /** Parallel downloads (default 4). */
  readonly concurrency?: number;
  readonly fetch?: typeof fetch;
  readonly retryDelayMs?: number;
  readonly retries?: number;
}

interface Job {
  readonly item: PlanItem;
  readonly file: FileSpec;
}

/** Check what is there, then download what is missing; never throws for a single file. */
export async function fetchItems(
  states: readonly ItemState[],
  options: FetchOptions = {},
): Promise<FetchReport> {
  const report: FetchReport = {
    fetched: [],
    corrupt: [],
    mismatched: [],
    failed: [],
    blocked: [],
    adopted: 0,
    setAside: [],
    extracted: [],
  };
  const ledgers = new Ledgers();
  try {
    const queue: Job[] = [];
    const archives: PlanItem[] = [];
    for (const s of states) {
      if (s.item.custom) continue;
      if (!s.archive) queue.push(...await checkFiles(s, ledgers, report, options.repair));
      else if (await checkArchive(s, s.archive, report, options.repair)) archives.push(s.item);
    }
    await downloadAll(queue, ledgers, report, options);
    for (const item of archives) {
      await fetchArchive(item, await ledgers.of(item.dir), report, options);
    }
    for (const s of states) {
      if (!s.item.custom || !s.missing.length) continue;
      await s.item.custom.fetch().catch((e) =>
        report.failed.push({ item: s.item, file: s.item.files[0], problem: messageOf(e) })
      );
    }
  } finally {
    await ledgers.compactAll();
  }
  for (const s of states) {
    if (s.item.dir && s.folder !== "read-only copy") await removeEmptyWorkDirs(s.item.dir);
  }
  return report;
}

// One ledger per folder, opened once per run.
class Ledgers {
  readonly #open = new Map<string, Promise<ChecksumLedger>>();
  of(dir: string): Promise<ChecksumLedger> {
    let ledger = this.#open.get(dir);
    if (!ledger) this.#open.set(dir, ledger = ChecksumLedger.open(dir));
    return ledger;
  }
  async compactAll(): Promise<void> {
    for (const ledger of this.#open.values()) {
      try {
        await (await ledger).compact();
      } catch { /* a read-only folder, or one that vanished: its appended lines stand */ }
    }
  }
}

// Check the present files of a file item; returns the files to download.
async function checkFiles(
  s: ItemState,
  ledgers: Ledgers,
  report: FetchReport,
  repair = false,
): Promise<Job[]> {
  const jobs: Job[] = [];
  const ledger = await ledgers.of(s.item.dir);
  const missing = new Set(s.missing);
  for (const file of s.item.files) {
    if (missing.has(file)) {
      if (s.folder !== "read-only copy") jobs.push({ item: s.item, file });
      else if (file.required) {
        report.failed.push({
          item: s.item,
          file,
          problem: `${file.dest} is missing and ${s.item.dir} is read-only`,
        });
      }
      continue;
    }
    const rel = relative(s.item.dir, file.dest);
    const problem = await presentProblem(file, s.folder, ledger, rel, repair, report);
    if (!problem) continue;
    const canRepair = repair && s.folder !== "read-only copy";
    report.corrupt.push({
      file: file.dest,
      problem,
      required: Boolean(file.required),
      repaired: canRepair,
    });
    if (canRepair) {
      const keptAt = asidePath(s.item.dir, file.dest, "corrupt");
      await setAside(file.dest, keptAt);
      report.setAside.push({ file: file.dest, keptAt });
      jobs.push({ item: s.item, file });
    }
  }
  return jobs;
}

// Why a file already there may not be used, or undefined when it may (adopting it into the
// ledger when it matches its pin and has no line yet).
async function presentProblem(
  file: FileSpec,
  folder: FolderKind,
  ledger: ChecksumLedger,
  rel: string,
  repair: boolean,
  report: FetchReport,
): Promise<string | undefined> {
  const recorded = ledger.get(rel);
  if (file.required && file.pin) {
    const check = await checkPin(file.dest, file.pin);
    if (!check.ok) return `does not match its pin (${check.problem})`;
    if (!recorded && folder === "fetched") await adopt(ledger, rel, check.sha256, report);
    return undefined;
  }
  if (recorded) {
    const check = await checkPin(file.dest, { sha256: recorded });
    return check.ok
      ? undefined
      : `no longer matches the checksum recorded when it was downloaded (${check.problem})`;
  }
  // a copy's files are its own (re-encoded images included) unless a repair is asked for
  if (folder !== "fetched" && !repair) return undefined;
  const check = await checkPin(file.dest, file.pin ?? {});
  if (!check.ok && !isImageName(file.dest)) {
    return `has no recorded checksum and does not match its pin (${check.problem})`;
  }
  if (!check.ok || !file.pin) {
    // another version of the image (a copy's re-encoded one) is kept; a broken one is not
    const broken = await imageProblem(file.dest);
    if (broken) return `has no recorded checksum and ${broken}`;
  }
  // checked once: recorded, so later runs compare it with its line
  if (folder === "fetched") await adopt(ledger, rel, check.sha256, report);
  return undefined;
}

async function adopt(ledger: ChecksumLedger, rel: string, sha256: string, report: FetchReport) {
  try {
    await ledger.record(rel, sha256);
    report.adopted++;
  } catch { /* cannot write the ledger: the file was checked all the same */ }
}

async function downloadAll(
  queue: readonly Job[],
  ledgers: Ledgers,
  report: FetchReport,
  options: FetchOptions,
): Promise<void> {
  if (!queue.length) return;
  const unreachable = new Set<string>();
  const unwritable = new Map<string, string>();
  const progress = new Progress("download", queue.length, { unit: "files" });
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const { item, file } = queue[next++];
      const host = hostOf(file.url);
      const ledger = await ledgers.of(item.dir);
      const blocked = unreachable.has(host)
        ? `not attempted: ${host} gave no response`
        : unwritable.get(item.dir) ?? await startFolder(ledger).then(() => undefined, (e) => {
          const why = messageOf(e);
          unwritable.set(item.dir, why);
          return why;
        });
      if (blocked) {
        // offline, blocked or a folder that refuses writes: say so for every file, at once
        report.failed.push({ item, file, problem: blocked });
      } else {
        const result = await fetchOne(item, file, ledger, report, options, unreachable);
        if (result) report.fetched.push(result);
      }
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  const failed = queue.length - report.fetched.length;
  await progress.finish(`${report.fetched.length} fetched${failed ? `, ${failed} not` : ""}`);
}

async function fetchOne(
  item: PlanItem,
  file: FileSpec,
  ledger: ChecksumLedger,
  report: FetchReport,
  options: FetchOptions,
  unreachable: Set<string>,
): Promise<DownloadResult | undefined> {
  const rel = relative(item.dir, file.dest);
  try {
    if (file.gunzip) return await fetchGzipped(item, file, ledger, options);
    return await downloadFile(
      {
        url: file.url,
        dest: file.dest,
        sha256: file.pin?.sha256,
        gitBlob: file.pin?.gitBlob,
        bytes: file.pin?.bytes,
      },
      {
        ...retryOptions(options),
        asideAs: asidePath(item.dir, file.dest, "sha256-mismatch"),
        // no pin: at least an image must decode whole
        check: !file.pin && isImageName(file.dest) ? imageProblem : undefined,
        beforeRename: (sha256) => ledger.record(rel, sha256),
      },
    );
  } catch (e) {
    if (e instanceof ChecksumError || e instanceof RejectedError) {
      report.mismatched.push({
        item,
        file: file.dest,
        keptAt: e.keptAt,
        problem: e instanceof ChecksumError
          ? `${e.what} ${e.actual}, expected ${e.expected}`
          : e.problem,
        required: Boolean(file.required),
      });
    } else {
      if (e instanceof DownloadError && e.unreachable) unreachable.add(hostOf(file.url));
      report.failed.push({ item, file, problem: messageOf(e) });
    }
    return undefined;
  }
}

function retryOptions(options: FetchOptions) {
  return { fetch: options.fetch, retryDelayMs: options.retryDelayMs, retries: options.retries };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// A file stored gzipped at the source: the .gz is fetched into `.downloads/` (resumable),
// decompressed to `<dest>.part`, and only decompressed bytes that match the pin take the final
// name (the check that matters: a mirror may compress the same file to other bytes). A .gz that
// does not decompress, or decompresses to other bytes, is set aside so the next try starts
// afresh; one left by an earlier run is set aside and fetched again at once.
async function fetchGzipped(
  item: PlanItem,
  file: FileSpec,
  ledger: ChecksumLedger,
  options: FetchOptions,
): Promise<DownloadResult> {
  const name = basename(file.dest);
  const gz = join(item.dir, ".downloads", `${name}.gz`);
  for (let attempt = 0;; attempt++) {
    const download = await downloadFile({ url: file.url, dest: gz }, retryOptions(options));
    const part = `${file.dest}.part`;
    const aside = asidePath(item.dir, join(item.dir, `${name}.gz`), "rejected");
    let failure: ChecksumError | RejectedError | undefined;
    try {
      await gunzipInto(gz, part);
      const check = file.pin ? await checkPin(part, file.pin) : undefined;
      if (check && !check.ok) {
        failure = new ChecksumError(file.dest, check.expected!, check.actual!, aside, check.what);
      } else {
        const sha256 = check?.sha256 ?? (await checkPin(part, {})).sha256;
        await ledger.record(relative(item.dir, file.dest), sha256);
        await Deno.rename(part, file.dest);
        await Deno.remove(gz);
        const bytes = (await Deno.stat(file.dest)).size;
        return { dest: file.dest, status: download.status, sha256, bytes };
      }
    } catch (e) {
      failure = new RejectedError(file.dest, `${basename(gz)}: ${messageOf(e)}`, aside);
    }
    await Deno.remove(part).catch(() => {});
    await setAside(gz, aside);
    if (download.status !== "present" || attempt > 0) throw failure;
  }
}

// Download (or take the one already there), extract into staging, move into place, stamp.
async function fetchArchive(
  item: PlanItem,
  ledger: ChecksumLedger,
  report: FetchReport,
  options: FetchOptions,
): Promise<void> {
  const [file] = item.files;
  const staging = stagingDir(item.dir, file.dest);
  const rel = relative(item.dir, file.dest);
  try {
    if (!(await stagedComplete(staging))) {
      if (await isFile(file.dest)) {
        // downloaded by an earlier run: its extraction is its check
        try {
          await extractToStaging(file.dest, staging);
        } catch (e) {
          if (!(e instanceof ArchiveError)) throw e;
          const keptAt = asidePath(item.dir, file.dest, "rejected");
          await setAside(file.dest, keptAt);
          report.setAside.push({ file: file.dest, keptAt });
        }
      }
      if (!(await stagedComplete(staging))) {
        await startFolder(ledger);
        await downloadArchive(item, file, staging, ledger, rel, options);
      }
    }
    const installed = await installStaged(
      item.dir,
      staging,
      item.archive!.stamp,
      join(item.dir, "set-aside"),
      `${basename(file.dest)} extracted ${new Date().toISOString()}; archive sha256 ${
        ledger.get(rel) ?? "unknown"
      }`,
    );
    report.setAside.push(...installed.replaced);
    report.extracted.push({ item, images: installed.entries.length });
    await Deno.remove(file.dest).catch(() => {}); // the images are out; it would double the disk
  } catch (e) {
    if (e instanceof RejectedError) {
      report.mismatched.push({
        item,
        file: file.dest,
        keptAt: e.keptAt,
        problem: e.problem,
        required: Boolean(file.required),
      });
    } else report.failed.push({ item, file, problem: messageOf(e) });
  }
}

async function downloadArchive(
  item: PlanItem,
  file: FileSpec,
  staging: string,
  ledger: ChecksumLedger,
  rel: string,
  options: FetchOptions,
): Promise<void> {
  const progress = new Progress(item.name, 0, { unit: "B" });
  try {
    await downloadFile({ url: file.url, dest: file.dest }, {
      ...retryOptions(options),
      progress,
      asideAs: asidePath(item.dir, file.dest, "rejected"),
      // extracting it whole into the staging folder is the archive's check
      check: async (part) => {
        try {
          await extractToStaging(part, staging);
          return undefined;
        } catch (e) {
          if (e instanceof ArchiveError) return e.problem;
          throw e;
        }
      },
      beforeRename: (sha256) => ledger.record(rel, sha256),
    });
    await progress.finish();
  } catch (e) {
    // a bar never drawn stays undrawn: "100% 0 B/0 B — failed" said nothing true
    if (progress.done > 0) await progress.finish("failed");
    throw e;
  }
}

/** Where a file is set aside: `<dir>/set-aside/<its path in dir>.<why>`. */
function asidePath(dir: string, file: string, why: string): string {
  const rel = relative(dir, file);
  const inside = rel && !rel.startsWith("..") ? rel : basename(file);
  return join(dir, "set-aside", `${inside}.${why}`);
}

/** Whether a run can go on: nothing required failed, nothing unverified is left in use. */
export function fatal(report: FetchReport): boolean {
  return report.failed.some((f) => f.file.required) ||
    report.mismatched.some((m) => m.required) ||
    report.corrupt.some((c) => !c.repaired) ||
    report.blocked.length > 0;
}

// Archive items are checked before anything downloads: what their stamp lists (sizes; with
// repair, hashes), and leftovers of an earlier run (which block the run unless repairing).
// Returns whether the archive is to be fetched (or its extraction finished).
async function checkArchive(
  s: ItemState,
  a: ArchiveState,
  report: FetchReport,
  repair = false,
): Promise<boolean> {
  switch (a.kind) {
    case "copy":
      return false;
    case "leftover":
      if (!repair) {
        report.blocked.push({
          item: s.item,
          problem: `${a.images} image(s) in ${join(s.item.dir, "images")} come from no verified ` +
            "archive: an earlier run stopped while extracting, so some may be cut short",
        });
      }
      return repair;
    case "done":
      break;
    default:
      return true;
  }
  // an earlier version's stamp lists nothing to check: a repair extracts the archive again
  if (!a.stamp.entries) return repair;
  const problems = await checkStamped(s.item.dir, a.stamp, repair);
  for (const { file, problem } of problems) {
    report.corrupt.push({ file, problem, required: true, repaired: repair });
    if (!repair || !(await isFile(file))) continue;
    const keptAt = asidePath(s.item.dir, file, "corrupt");
    await setAside(file, keptAt);
    report.setAside.push({ file, keptAt });
  }
  if (!repair || !problems.length) return false;
  await Deno.remove(s.item.archive!.stamp); // fetched and extracted again
  return true;
}

// Work folders an interrupted or failed run may leave, removed once empty.
async function removeEmptyWorkDirs(dir: string): Promise<void> {
  for (const name of [".downloads", "archives"]) {
    try {
      await Deno.remove(join(dir, name)); // fails unless empty
    } catch { /* absent or not empty */ }
  }
}

async function hasUnfinishedDownloads(item: PlanItem): Promise<boolean> {
  if (await isDir(join(item.dir, ".downloads"))) return true;
  const dirs = new Set(item.files.map((f) => dirname(f.dest)));
  for (const d of dirs) {
    for (const name of filesIn(d)) if (name.endsWith(".part")) return true;
  }
  return false;
}

// A folder whose owner removed every write permission is not written to, even by root (who
// may write anyway): the nearest folder that exists decides for one that does not yet.
async function isReadOnly(dir: string): Promise<boolean> {
  for (let d = dir;; d = dirname(d)) {
    try {
      const { mode } = await Deno.stat(d);
      return mode !== null && (mode & 0o222) === 0;
    } catch {
      if (dirname(d) === d) return false;
    }
  }
}

// Before the first download into a folder: refuse a read-only one. (Its ledger is created by
// the first record; until then a `.part` file marks the folder as one this project fetches into.)
async function startFolder(ledger: ChecksumLedger): Promise<void> {
  if (await isReadOnly(ledger.dir)) {
    throw new Error(`${ledger.dir} is read-only: nothing is fetched into it`);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sizeText(s: ItemState): string {
  return s.unknownSizes === s.missing.length
    ? "size reported by the server"
    : `${formatBytes(s.missingBytes)}${
      s.unknownSizes ? ` + ${s.unknownSizes} of unknown size` : ""
    }`;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return undefined;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

export { LEDGER_NAME };
