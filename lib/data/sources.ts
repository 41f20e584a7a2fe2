/**
 * Where the public datasets are downloaded from, and the jobs that fetch them into a data
 * root laid out as the loaders expect. Base URLs are settings (flags or environment), so a
 * mirror — or a local test server — can stand in for the public hosts.
 * @module
 */
import { join, relative } from "node:path";
import { DATASETS } from "../config.ts";
import { Progress } from "../progress.ts";
import { parseCsv } from "./csv.ts";
import { downloadFile, type DownloadItem, type DownloadResult } from "./download.ts";

/** The COVID-19 image data collection's GitHub repository. */
export const COVID_REPOSITORY = "ieee8023/covid-chestxray-dataset";
/** Pinned commit of the collection (mid-2020 snapshot; override with XRAY_COVID_COMMIT). */
export const COVID_COMMIT = "584034a";

/** The twelve official ChestX-ray14 image archives (NIH's batch_download_zips.py). */
export const NIH_ARCHIVE_URLS: readonly string[] = [
  "vfk49d74nhbxq3nqjg0900w5nvkorp5c",
  "i28rlmbvmfjbl8p2n3ril0pptcmcu9d1",
  "f1t00wrtdk94satdfb9olcolqx20z2jp",
  "0aowwzs5lhjrceb3qp67ahp0rd1l1etg",
  "v5e3goj22zr6h8tzualxfsqlqaygfbsn",
  "asi7ikud9jwnkrnkj99jnpfkjdes7l6l",
  "jn1b4mw4n6lnh74ovmcjb8y48h8xj07n",
  "tvpxmn7qyrgl0w8wfh9kqfjskv6nmm1j",
  "upyy3ml7qdumlgk2rfcvlb9k6gvqq2pj",
  "l6nilvfa9cg3s28tqv1qc1olm3gnz54p",
  "hhq8fkdgvcari67vfhs7ppg2w6ni4jze",
  "ioqwiy20ihqwyr8pf4c24eazhh281pbu",
].map((id) => `https://nihcc.box.com/shared/static/${id}.gz`);

/**
 * SHA-256 of the metadata files, pinned from the snapshot this project was developed on.
 * Image files carry no upstream checksums; their hashes are recorded on first download in
 * `checksums.sha256` (sha256sum format) and checked on every later run.
 */
export const PINNED_SHA256: Readonly<Record<string, string>> = {
  "covid-chestxray/metadata.csv":
    "e46ffab4cdeb4866491d32afe466baefd7acbcf268a75c260f81d8520b8664a0",
  "nih-chestxray14/Data_Entry_2017_v2020.csv":
    "dc1d2df67fdc1c5a7601d48699cda2b13dc2c4841488b4183dcf04884dbaca11",
  "nih-chestxray14/train_val_list.txt":
    "61fbe896321c1c1c8b75f3e4f3a08e4fef6486d95ef8a667c31d4d60dca6cb81",
  "nih-chestxray14/test_list.txt":
    "38ca5ef7f756092946f57c1a59faca882ed589a1ab1f72590b45dc06c6d5e1cc",
};

/** Download settings; every field has an environment variable (see README). */
export interface DownloadSettings {
  readonly root: string;
  /** Base of the COVID-19 collection (default: raw GitHub at the pinned commit). */
  readonly covidBaseUrl: string;
  /** At most this many COVID-19 images (default: all named in metadata.csv). */
  readonly covidLimit?: number;
  /** Base URL holding the NIH label CSV and split lists (no public direct link exists). */
  readonly nihBaseUrl?: string;
  /** Base URL holding images_001.tar.gz … (default: NIH's Box links). */
  readonly nihArchiveBaseUrl?: string;
  /** How many of the 12 NIH image archives to fetch (default 1). */
  readonly nihArchives: number;
  /** Keep archives after extraction (default: delete them to save disk). */
  readonly keepArchives?: boolean;
  /** Check pinned checksums (default true; off only for a mirror with other metadata). */
  readonly verifyPinned?: boolean;
  readonly fetch?: typeof fetch;
  readonly retryDelayMs?: number;
}

/** Settings from the environment, for the CLI and notebooks. */
export function downloadSettingsFromEnv(root: string): DownloadSettings {
  const env = (name: string) => Deno.env.get(name)?.trim() || undefined;
  const commit = env("XRAY_COVID_COMMIT") ?? COVID_COMMIT;
  return {
    root,
    covidBaseUrl: env("XRAY_COVID_BASE_URL") ??
      `https://raw.githubusercontent.com/${COVID_REPOSITORY}/${commit}`,
    nihBaseUrl: env("XRAY_NIH_BASE_URL"),
    nihArchiveBaseUrl: env("XRAY_NIH_ARCHIVE_BASE_URL"),
    nihArchives: Number(env("XRAY_NIH_ARCHIVES") ?? 1),
  };
}

/** Summary of a dataset download. */
export interface DownloadReport {
  readonly results: DownloadResult[];
  /** Files that could not be fetched (e.g. HTTP 404), with why; the run went on. */
  readonly failures: { url: string; dest: string; problem: string }[];
}

/** Download the COVID-19 collection: metadata.csv, then every X-ray image it names. */
export async function downloadCovid(settings: DownloadSettings): Promise<DownloadReport> {
  const dir = join(settings.root, DATASETS.covid.folder);
  const base = settings.covidBaseUrl.replace(/\/$/, "");
  const metadata = await fetchAll(settings, [
    pinned(settings, dir, `${base}/metadata.csv`, "metadata.csv"),
  ], "metadata");
  const table = parseCsv(await Deno.readTextFile(join(dir, "metadata.csv")), "metadata.csv", {
    required: ["folder", "filename", "modality"],
  });
  const names = [
    ...new Set(
      table.rows.filter((r) => r.values.folder === "images").map((r) => r.values.filename),
    ),
  ].slice(0, settings.covidLimit ?? Infinity);
  const images = await fetchAll(
    settings,
    names.map((name) => ({
      url: `${base}/images/${encodeURIComponent(name)}`,
      dest: join(dir, "images", name),
    })),
    "COVID-19 images",
    dir,
  );
  return merge(metadata, images);
}

/** Download ChestX-ray14 labels, official split lists and `nihArchives` image archives. */
export async function downloadNih(settings: DownloadSettings): Promise<DownloadReport> {
  const dir = join(settings.root, DATASETS.nih.folder);
  if (!settings.nihBaseUrl) {
    throw new Error(
      "NIH ChestX-ray14 labels have no stable direct link. Download Data_Entry_2017_v2020.csv, " +
        `train_val_list.txt and test_list.txt from ${DATASETS.nih.homepage} into ${dir}, or set ` +
        "XRAY_NIH_BASE_URL (or --nih-base-url) to a mirror that serves them.",
    );
  }
  const base = settings.nihBaseUrl.replace(/\/$/, "");
  const meta = await fetchAll(
    settings,
    ["Data_Entry_2017_v2020.csv", "train_val_list.txt", "test_list.txt"].map((name) =>
      pinned(settings, dir, `${base}/${name}`, name)
    ),
    "NIH labels",
  );
  const count = Math.min(Math.max(0, settings.nihArchives), NIH_ARCHIVE_URLS.length);
  const archives: DownloadReport[] = [];
  for (let i = 0; i < count; i++) {
    const name = `images_${String(i + 1).padStart(3, "0")}.tar.gz`;
    const stamp = join(dir, `.extracted-${name}`);
    if (await exists(stamp)) continue;
    const url = settings.nihArchiveBaseUrl
      ? `${settings.nihArchiveBaseUrl.replace(/\/$/, "")}/${name}`
      : NIH_ARCHIVE_URLS[i];
    const archive = join(dir, "archives", name);
    const report = await fetchAll(settings, [{ url, dest: archive }], `NIH archive ${name}`, dir);
    archives.push(report);
    if (report.failures.length > 0) continue;
    await extractTarGz(archive, dir);
    await Deno.writeTextFile(stamp, new Date().toISOString() + "\n");
    if (!settings.keepArchives) await Deno.remove(archive);
  }
  return merge(meta, ...archives);
}

function pinned(settings: DownloadSettings, dir: string, url: string, name: string): DownloadItem {
  const key = `${dir.split(/[\\/]/).pop()}/${name}`;
  const sha256 = settings.verifyPinned === false ? undefined : PINNED_SHA256[key];
  return { url, dest: join(dir, name), sha256 };
}

// Fetch items one after another with one progress bar over files. Hashes of files without a
// pinned checksum are recorded in <checksumDir>/checksums.sha256 and enforced next time.
async function fetchAll(
  settings: DownloadSettings,
  items: DownloadItem[],
  label: string,
  checksumDir?: string,
): Promise<DownloadReport> {
  const recorded = checksumDir ? await readChecksums(checksumDir) : new Map<string, string>();
  const single = items.length === 1;
  const progress = new Progress(label, single ? 0 : items.length, { unit: single ? "B" : "files" });
  const results: DownloadResult[] = [];
  const failures: DownloadReport["failures"] = [];
  for (const item of items) {
    const key = checksumDir ? relative(checksumDir, item.dest) : item.dest;
    const expected = item.sha256 ?? recorded.get(key);
    try {
      const result = await downloadFile({ ...item, sha256: expected }, {
        fetch: settings.fetch,
        retryDelayMs: settings.retryDelayMs,
        progress: single ? progress : undefined,
      });
      results.push(result);
      if (checksumDir && !recorded.has(key)) recorded.set(key, result.sha256);
    } catch (e) {
      // a missing upstream file (HTTP 4xx) is reported, not fatal; checksum errors are fatal
      if (!(e instanceof Error) || e.name !== "DownloadError") throw e;
      failures.push({ url: item.url, dest: item.dest, problem: e.message });
    }
    if (!single) progress.tick();
  }
  if (checksumDir) await writeChecksums(checksumDir, recorded);
  const fetched = results.filter((r) => r.status !== "present").length;
  await progress.finish(
    `${fetched} fetched, ${results.length - fetched} present` +
      (failures.length ? `, ${failures.length} failed` : ""),
  );
  return { results, failures };
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
  await Deno.writeTextFile(join(dir, "checksums.sha256"), lines.join("\n") + "\n");
}

async function extractTarGz(archive: string, into: string): Promise<void> {
  const out = await new Deno.Command("tar", { args: ["-xzf", archive, "-C", into] }).output();
  if (!out.success) {
    throw new Error(
      `${archive}: extraction failed (tar exit ${out.code}): ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function merge(...reports: DownloadReport[]): DownloadReport {
  return {
    results: reports.flatMap((r) => r.results),
    failures: reports.flatMap((r) => r.failures),
  };
}
