/**
 * NIH ChestX-ray14 (Wang et al. 2017), everything about it in one place: where its files come
 * from (the label file and official split lists pinned in git, the image archives from NIH),
 * how the label file joins the split lists and the images on disk, and how it is split (the
 * official test list stays the test set; validation is a patient-level cut of train_val).
 * @module
 */
import { join } from "node:path";
import type { Profile } from "../../config.ts";
import { CsvError, type MalformedRowPolicy, readCsv } from "../_csv.ts";
import { filesIn } from "../_files.ts";
import type { XrayDataset } from "../dataset.ts";
import { type PlanItem, resolveSource, type SourceSettings } from "../fetch.ts";
import { NIH_FINDINGS, type NihFinding, type SkippedRow, type XrayRecord } from "../record.ts";
import { assertPatientsDisjoint, patientSplit, type Splits } from "../splits.ts";
import { datasetDir } from "./_registry.ts";

/** The dataset's key (a record's `source`) and folder under the data root. */
export const NIH_KEY = "nih-chestxray14";

/** Official ChestX-ray14 split list a record belongs to. */
export type NihOfficialSplit = "train_val" | "test";

/** A ChestX-ray14 record: multi-label over {@link NIH_FINDINGS}. */
export interface NihRecord extends XrayRecord {
  readonly findings: readonly NihFinding[];
  readonly labels: readonly NihFinding[];
  readonly officialSplit: NihOfficialSplit;
  readonly age: number | undefined;
  readonly sex: string;
}

/** Accepted names of the label file: NIH's 2020 revision first, then the original. */
const NIH_LABEL_FILES = ["Data_Entry_2017_v2020.csv", "Data_Entry_2017.csv"] as const;

const REQUIRED_COLUMNS = ["Image Index", "Finding Labels", "Patient ID", "View Position"];
const KNOWN_FINDINGS: ReadonlySet<string> = new Set(NIH_FINDINGS);

/** What {@link loadNih} returns. */
export interface NihDataset {
  /** Records whose image is present on disk. */
  readonly records: NihRecord[];
  /** Rows left out for a reason other than "image not downloaded" (malformed, unknown label…). */
  readonly skipped: SkippedRow[];
  /** Data rows in the label file. */
  readonly rows: number;
  /** Well-formed rows whose image is not on disk (the full dataset has 112,120 images). */
  readonly rowsWithoutImage: number;
  /** Image files on disk that no label row names. */
  readonly unlabelledImages: string[];
  readonly labelPath: string;
}

/** Options for {@link loadNih}. */
export interface LoadNihOptions {
  /** Dataset folder; default `<data root>/nih-chestxray14`. */
  readonly dir?: string;
  readonly onMalformedRow?: MalformedRowPolicy;
}

/** Load ChestX-ray14 labels, join with the official split lists and the images on disk. */
export async function loadNih(options: LoadNihOptions = {}): Promise<NihDataset> {
  const dir = options.dir ?? datasetDir(NIH_KEY);
  const labelPath = findLabelFile(dir);
  const table = await readCsv(labelPath, {
    required: REQUIRED_COLUMNS,
    onMalformedRow: options.onMalformedRow ?? "skip",
  });
  const trainVal = await readList(join(dir, "train_val_list.txt"));
  const test = await readList(join(dir, "test_list.txt"));
  const onDisk = filesIn(join(dir, "images"));
  const skipped: SkippedRow[] = table.malformed.map((m) => ({
    file: m.file,
    line: m.line,
    reason: "malformed-row",
    detail: m.problem,
  }));
  const records: NihRecord[] = [];
  const labelled = new Set<string>();
  let rowsWithoutImage = 0;
  for (const { line, values: v } of table.rows) {
    const imageId = v["Image Index"].trim();
    const patientId = v["Patient ID"].trim();
    const base = { file: labelPath, line, imageId, patientId };
    labelled.add(imageId);
    const parsed = parseFindings(v["Finding Labels"]);
    if (typeof parsed === "string") {
      skipped.push({ ...base, reason: "unknown-finding", detail: parsed });
      continue;
    }
    if (!onDisk.has(imageId)) {
      rowsWithoutImage++;
      continue;
    }
    const officialSplit: NihOfficialSplit | undefined = test.has(imageId)
      ? "test"
      : trainVal.has(imageId)
      ? "train_val"
      : undefined;
    if (!officialSplit) {
      skipped.push({
        ...base,
        reason: "not-in-split-lists",
        detail: "in neither train_val_list.txt nor test_list.txt",
      });
      continue;
    }
    const age = Number.parseInt(v["Patient Age"] ?? "", 10);
    records.push({
      source: NIH_KEY,
      imageId,
      path: join(dir, "images", imageId),
      patientId,
      view: v["View Position"].trim(),
      findings: parsed,
      findingText: v["Finding Labels"].trim(),
      labels: parsed,
      officialSplit,
      age: Number.isFinite(age) ? age : undefined,
      sex: (v["Patient Gender"] ?? "").trim(),
    });
  }
  const unlabelledImages = [...onDisk].filter((f) => !labelled.has(f)).sort();
  return {
    records,
    skipped,
    rows: table.rows.length + table.malformed.length,
    rowsWithoutImage,
    unlabelledImages,
    labelPath,
  };
}

// "Cardiomegaly|Emphysema" → the two findings; "No Finding" or blank → []; else a problem text.
function parseFindings(field: string): NihFinding[] | string {
  const text = field.trim();
  if (text === "" || text === "No Finding") return [];
  const names = text.split("|").map((s) => s.trim());
  const unknown = names.filter((n) => !KNOWN_FINDINGS.has(n));
  if (unknown.length > 0) return `unknown finding "${unknown.join('", "')}"`;
  return names as NihFinding[];
}

function findLabelFile(dir: string): string {
  for (const name of NIH_LABEL_FILES) {
    const path = join(dir, name);
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* try the next name */ }
  }
  throw new CsvError(
    dir,
    `no label file: expected ${NIH_LABEL_FILES.join(" or ")}. ` +
      "Fetch it with `deno task data nih`.",
  );
}

async function readList(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new CsvError(
      path,
      `cannot read the official split list (${(e as Error).message}). ` +
        "Fetch it with `deno task data nih`.",
    );
  }
  return new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0));
}

/** Options for {@link nihSplit}. */
export interface NihSplitOptions {
  /** Share of train_val images moved to validation (default 0.2). */
  readonly valFraction?: number;
  readonly seed: number;
}

/** Train/validation from the official train_val list, test from the official test list. */
export function nihSplit(
  records: readonly NihRecord[],
  options: NihSplitOptions,
): Splits<NihRecord> {
  const valFraction = options.valFraction ?? 0.2;
  const trainVal = records.filter((r) => r.officialSplit === "train_val");
  const test = records.filter((r) => r.officialSplit === "test");
  const cut = patientSplit(trainVal, {
    fractions: { train: 1 - valFraction, val: valFraction, test: 0 },
    seed: options.seed,
    // stratify on "any finding" so both sides see sick and healthy patients
    stratum: (images) => (images.some((r) => r.findings.length > 0) ? "finding" : "no-finding"),
  });
  const splits = { train: cut.train, val: cut.val, test };
  assertPatientsDisjoint(splits);
  return splits;
}

/** torchxrayvision's copy of NIH's label file (gzipped), at a pinned commit. */
export const NIH_LABELS_SOURCE = {
  repository: "mlmed/torchxrayvision",
  commit: "8ef884614164d54e2660947241ab0276b29526e9",
  path: "torchxrayvision/data/Data_Entry_2017_v2020.csv.gz",
} as const;

/** The study's repository, which keeps NIH's official split lists. */
const NIH_LISTS_SOURCE = {
  repository: "gustavo-beck/DD2424-Deep_Learning-COVID-Project",
  commit: "9700f32e43f1494aafe24e24c284600a632d6be2",
  folder: "xray_dataset",
} as const;

/** The twelve official ChestX-ray14 image archives (NIH's batch_download_zips.py). */
const NIH_ARCHIVE_URLS: readonly string[] = [
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

/** SHA-256 of the ChestX-ray14 metadata files as NIH distributes them. */
const NIH_SHA256: Readonly<Record<string, string>> = {
  "Data_Entry_2017_v2020.csv": "dc1d2df67fdc1c5a7601d48699cda2b13dc2c4841488b4183dcf04884dbaca11",
  "train_val_list.txt": "61fbe896321c1c1c8b75f3e4f3a08e4fef6486d95ef8a667c31d4d60dca6cb81",
  "test_list.txt": "38ca5ef7f756092946f57c1a59faca882ed589a1ab1f72590b45dc06c6d5e1cc",
};

/** What a profile needs of ChestX-ray14: the metadata files and its number of archives. */
function nihPlan(root: string, settings: SourceSettings, archives: number): PlanItem[] {
  const dir = join(root, NIH_KEY);
  const raw = (repo: string, commit: string) => ({
    url: `https://raw.githubusercontent.com/${repo}/${commit}`,
    text: `github.com/${repo} @ ${commit.slice(0, 7)}`,
  });
  const labelSource = resolveSource(
    settings,
    "nih-labels",
    "XRAY_NIH_LABELS_BASE_URL",
    raw(NIH_LABELS_SOURCE.repository, NIH_LABELS_SOURCE.commit),
  );
  const listSource = resolveSource(
    settings,
    "nih-lists",
    "XRAY_NIH_LISTS_BASE_URL",
    raw(NIH_LISTS_SOURCE.repository, NIH_LISTS_SOURCE.commit),
  );
  const labels = labelSource.base, lists = listSource.base;
  const archiveSource = resolveSource(settings, "nih-archives", "XRAY_NIH_ARCHIVE_BASE_URL", {
    url: "",
    text: "nihcc.box.com (NIH Clinical Center)",
  });
  const archiveBase = archiveSource.base;
  const metadata: PlanItem = {
    name: "ChestX-ray14 label file and official split lists",
    source: `${labelSource.source}, ${listSource.source}`,
    dir,
    files: [
      {
        url: `${labels}/${NIH_LABELS_SOURCE.path}`,
        dest: join(dir, "Data_Entry_2017_v2020.csv"),
        pin: { sha256: NIH_SHA256["Data_Entry_2017_v2020.csv"] },
        gunzip: true,
        required: true,
      },
      ...["train_val_list.txt", "test_list.txt"].map((name) => ({
        url: `${lists}/${NIH_LISTS_SOURCE.folder}/${name}`,
        dest: join(dir, name),
        pin: { sha256: NIH_SHA256[name] },
        required: true,
      })),
    ],
  };
  const archiveItems = Array.from(
    { length: Math.min(archives, NIH_ARCHIVE_URLS.length) },
    (_, i): PlanItem => {
      const name = `images_${String(i + 1).padStart(3, "0")}.tar.gz`;
      return {
        name: `ChestX-ray14 image archive ${i + 1} of 12`,
        source: archiveSource.source,
        dir,
        files: [{
          url: archiveBase ? `${archiveBase}/${name}` : NIH_ARCHIVE_URLS[i],
          dest: join(dir, "archives", name),
          required: true,
        }],
        archive: { stamp: join(dir, `.extracted-${name}`) },
      };
    },
  );
  return [metadata, ...archiveItems];
}

/** ChestX-ray14 as a registered dataset. */
export const nihDataset: XrayDataset<NihRecord> = {
  info: {
    key: NIH_KEY,
    folder: NIH_KEY,
    title: "NIH ChestX-ray14 (Wang et al. 2017)",
    homepage: "https://nihcc.app.box.com/v/ChestXray-NIHCC",
    licence: "NIH Clinical Center, public; cite Wang et al., CVPR 2017",
  },
  load: (dir) => loadNih({ dir }),
  split: (records, seed) => nihSplit(records, { seed }),
  plan: (root, settings, profile: Profile) => nihPlan(root, settings, profile.nihArchives),
};
