/**
 * Image archives (ChestX-ray14's `images_NNN.tar.gz`), installed so that a kill or a bad
 * download at any moment leaves either the old state or the new one, never a half:
 *
 * 1. the archive is extracted into a staging folder `.extracting-<archive>/` next to the
 *    dataset — the extraction itself is the archive's check (the gzip trailer's CRC and length,
 *    the tar end blocks), with only plain files under `images/` taken;
 * 2. once whole, every staged file is hashed and the list written to `<staging>/.complete`;
 * 3. files are moved into `images/` (a file already there that differs is set aside);
 * 4. the stamp `.extracted-<archive>` is written last, listing every file with its SHA-256 and
 *    size, so later runs can check the images without the archive.
 *
 * A run that finds a staging folder without `.complete` discards it and extracts again; one with
 * `.complete` finishes the moves.
 * @module
 */
import { basename, join } from "node:path";
import * as tar from "tar";
import { writeDurably } from "./checksums.ts";
import { setAside } from "./download.ts";
import { hashFile } from "./verify.ts";
import { filesIn } from "./_files.ts";

const LOCAL_ERRORS = new Set(["ENOSPC", "EACCES", "EPERM", "EROFS", "EDQUOT"]);

/** One installed file of an archive. */
export interface ArchiveEntry {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** An archive's stamp: what it installed (absent for a stamp written by an earlier version). */
export interface ArchiveStamp {
  readonly entries?: readonly ArchiveEntry[];
}

/** Raised when an archive does not extract whole (truncated, not gzip, not tar). */
export class ArchiveError extends Error {
  constructor(readonly archive: string, readonly problem: string) {
    super(`${archive}: ${problem}`);
    this.name = "ArchiveError";
  }
}

/** The staging folder of an archive in its dataset folder. */
export function stagingDir(dir: string, archive: string): string {
  return join(dir, `.extracting-${basename(archive).replace(/\.part$/, "")}`);
}

/** Read a stamp; undefined when there is none. */
export async function readStamp(path: string): Promise<ArchiveStamp | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  if (!text.startsWith("#")) return {}; // an earlier version's stamp: a date, no list
  return { entries: parseEntries(text) };
}

/** Whether `dir` holds a finished staging list (the extraction completed; moves may remain). */
export async function stagedComplete(staging: string): Promise<boolean> {
  try {
    await Deno.stat(join(staging, ".complete"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Extract `archive` into a fresh `staging` folder and hash what it holds; throws
 * {@link ArchiveError} when the archive does not extract whole (the staging folder is removed).
 */
export async function extractToStaging(archive: string, staging: string): Promise<void> {
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(staging, { recursive: true });
  try {
    await tar.x({
      file: archive,
      cwd: staging,
      strict: true, // a warning (a bad header, a stream cut short) is an error
      // only plain files directly under images/: nothing else is written, whatever the archive
      filter: (path: string, entry: unknown) =>
        /^images\/[^/\\]+$/.test(path) && (entry as { type?: string }).type === "File",
    });
  } catch (e) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    // the disk, not the archive: no reason to throw the download away
    if (LOCAL_ERRORS.has((e as { code?: string }).code ?? "")) throw e;
    throw new ArchiveError(archive, describeTarError(e as Error));
  }
  const entries: ArchiveEntry[] = [];
  const names = [...filesIn(join(staging, "images"))].sort();
  for (const name of names) {
    const path = `images/${name}`;
    const h = await hashFile(join(staging, path));
    entries.push({ path, sha256: h.sha256, bytes: h.bytes });
  }
  if (!entries.length) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw new ArchiveError(archive, "holds no image under images/");
  }
  await writeDurably(join(staging, ".complete"), entryLines(entries));
}

/** What {@link installStaged} did. */
export interface InstallResult {
  readonly entries: readonly ArchiveEntry[];
  /** Files that were already in place with other bytes, and where they were set aside. */
  readonly replaced: readonly { file: string; keptAt: string }[];
}

/**
 * Move a completely staged archive into `dir`, write its stamp (last), remove the staging folder.
 * A file already in place with the same bytes stays; one with other bytes is set aside under
 * `asideDir` first.
 */
export async function installStaged(
  dir: string,
  staging: string,
  stamp: string,
  asideDir: string,
  header: string,
): Promise<InstallResult> {
  const entries = parseEntries(await Deno.readTextFile(join(staging, ".complete")));
  const replaced: { file: string; keptAt: string }[] = [];
  await Deno.mkdir(join(dir, "images"), { recursive: true });
  for (const entry of entries) {
    const staged = join(staging, entry.path);
    const final = join(dir, entry.path);
    if (!(await isFile(staged))) {
      // moved by the run that was interrupted: it must be in place, whole
      if (!(await isFile(final))) {
        throw new ArchiveError(stamp, `${final} was neither staged nor in place`);
      }
      continue;
    }
    if (await isFile(final)) {
      if ((await hashFile(final)).sha256 === entry.sha256) {
        await Deno.remove(staged);
        continue;
      }
      const keptAt = join(asideDir, `${entry.path}.unverified`);
      await setAside(final, keptAt);
      replaced.push({ file: final, keptAt });
    }
    await Deno.rename(staged, final);
  }
  await writeDurably(stamp, `# ${header}\n${entryLines(entries)}`);
  await Deno.remove(staging, { recursive: true });
  return { entries, replaced };
}

/**
 * Check the files a stamp lists: present with their size (cheap, every run), or with their
 * SHA-256 too (`full`). Returns the problems, one per file.
 */
export async function checkStamped(
  dir: string,
  stamp: ArchiveStamp,
  full: boolean,
): Promise<{ file: string; problem: string }[]> {
  const problems: { file: string; problem: string }[] = [];
  for (const entry of stamp.entries ?? []) {
    const file = join(dir, entry.path);
    let size: number;
    try {
      size = (await Deno.stat(file)).size;
    } catch {
      problems.push({ file, problem: "is missing (it was extracted from its archive)" });
      continue;
    }
    if (size !== entry.bytes) {
      problems.push({ file, problem: `has ${size} bytes, ${entry.bytes} when extracted` });
    } else if (full && (await hashFile(file)).sha256 !== entry.sha256) {
      problems.push({ file, problem: "has another SHA-256 than the one recorded at extraction" });
    }
  }
  return problems;
}

function entryLines(entries: readonly ArchiveEntry[]): string {
  return entries.map((e) => `${e.sha256} ${e.bytes} ${e.path}\n`).join("");
}

function parseEntries(text: string): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64}) (\d+) (.+)$/.exec(line);
    if (m) out.push({ sha256: m[1], bytes: Number(m[2]), path: m[3] });
  }
  return out;
}

// tar's messages for the usual ways a download goes wrong, in words
function describeTarError(e: Error): string {
  const m = e.message;
  if (/unexpected end of file|TAR_ABORT|truncated/i.test(m)) {
    return `not a complete gzip-compressed tar: it ends early (${m})`;
  }
  if (/incorrect header check|TAR_BAD_ARCHIVE|Unrecognized archive/i.test(m)) {
    return `not a gzip-compressed tar archive (${m}); a server may have sent a web page instead`;
  }
  return `does not extract (${m})`;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
