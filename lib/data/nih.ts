/**
 * NIH ChestX-ray14 (Wang et al. 2017): the official label file, the official patient-wise
 * split lists, and the images present under the data root.
 * @module
 */
import { join } from "node:path";
import { filesIn } from "./files.ts";
import { datasetDir } from "../config.ts";
import { CsvError, type MalformedRowPolicy, readCsv } from "./csv.ts";
import {
  NIH_FINDINGS,
  type NihFinding,
  type NihOfficialSplit,
  type NihRecord,
  type SkippedRow,
} from "./records.ts";

/** Accepted names of the label file: NIH's 2020 revision first, then the original. */
export const NIH_LABEL_FILES = ["Data_Entry_2017_v2020.csv", "Data_Entry_2017.csv"] as const;

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
  const dir = options.dir ?? datasetDir("nih");
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
      source: "nih-chestxray14",
      imageId,
      path: join(dir, "images", imageId),
      patientId,
      view: v["View Position"].trim(),
      findings: parsed,
      findingText: v["Finding Labels"].trim(),
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
      "Download it with `deno task data nih`.",
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
        "Download it with `deno task data nih`.",
    );
  }
  return new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0));
}
