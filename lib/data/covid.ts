/**
 * The COVID-19 image data collection (Cohen, Morrison, Dao 2020): `metadata.csv` plus images.
 * Keeps frontal X-rays whose file is present, labels COVID-19 vs other findings, and reports
 * every row it leaves out with the reason.
 * @module
 */
import { join } from "node:path";
import { filesIn, safeChild } from "./files.ts";
import { datasetDir } from "../config.ts";
import { type MalformedRowPolicy, readCsv } from "./csv.ts";
import type { CovidRecord, SkippedRow } from "./records.ts";

/** View positions counted as frontal (posteroanterior or anteroposterior). */
export const FRONTAL_VIEWS: ReadonlySet<string> = new Set([
  "PA",
  "AP",
  "AP Supine",
  "AP erect",
  "AP semi erect",
]);

const REQUIRED_COLUMNS = ["patientid", "finding", "view", "modality", "folder", "filename"];

/** What {@link loadCovid} returns: kept records and the report of every skipped row. */
export interface CovidDataset {
  readonly records: CovidRecord[];
  readonly skipped: SkippedRow[];
  /** Data rows read from `metadata.csv`. */
  readonly rows: number;
  readonly metadataPath: string;
}

/** Options for {@link loadCovid}. */
export interface LoadCovidOptions {
  /** Dataset folder; default `<data root>/covid-chestxray`. */
  readonly dir?: string;
  readonly onMalformedRow?: MalformedRowPolicy;
}

/** Load the collection: frontal X-rays present on disk, labelled COVID-19 or other. */
export async function loadCovid(options: LoadCovidOptions = {}): Promise<CovidDataset> {
  const dir = options.dir ?? datasetDir("covid");
  const metadataPath = join(dir, "metadata.csv");
  const table = await readCsv(metadataPath, {
    required: REQUIRED_COLUMNS,
    onMalformedRow: options.onMalformedRow ?? "skip",
  });
  const skipped: SkippedRow[] = table.malformed.map((m) => ({
    file: m.file,
    line: m.line,
    reason: "malformed-row",
    detail: m.problem,
  }));
  const present = filesIn(join(dir, "images"));
  const records: CovidRecord[] = [];
  let safe: ReturnType<typeof safeChild>;
  for (const { line, values: v } of table.rows) {
    const base = { file: metadataPath, line, imageId: v.filename, patientId: v.patientid };
    const view = v.view.trim();
    const finding = v.finding.trim();
    if (v.modality.trim() !== "X-ray") {
      skipped.push({ ...base, reason: "ct", detail: `modality "${v.modality}"` });
    } else if (view === "L") {
      skipped.push({ ...base, reason: "lateral-view", detail: `view "L"` });
    } else if (!FRONTAL_VIEWS.has(view)) {
      skipped.push({ ...base, reason: "unknown-view", detail: `view "${view}"` });
    } else if ("unsafe" in (safe = safeChild(join(dir, "images"), v.filename))) {
      skipped.push({ ...base, reason: "unsafe-path", detail: safe.unsafe });
    } else if (v.folder.trim() !== "images" || !present.has(v.filename)) {
      skipped.push({
        ...base,
        reason: "missing-file",
        detail: `${join(dir, v.folder, v.filename)} is not on disk`,
      });
    } else if (finding === "todo") {
      skipped.push({ ...base, reason: "todo", detail: "finding not yet labelled (todo)" });
    } else {
      records.push({
        source: "covid-chestxray",
        imageId: v.filename,
        path: join(dir, "images", v.filename),
        patientId: v.patientid.trim(),
        view,
        findings: splitFindings(finding),
        findingText: finding,
        covid: /COVID-19/.test(finding),
        license: (v.license ?? "").trim(),
        line,
      });
    }
  }
  return { records, skipped, rows: table.rows.length + table.malformed.length, metadataPath };
}

// "COVID-19, ARDS" → ["COVID-19", "ARDS"]; "No Finding" → [].
function splitFindings(text: string): string[] {
  if (text === "No Finding") return [];
  return text.split(/,\s*/).map((f) => f.trim()).filter((f) => f.length > 0);
}
