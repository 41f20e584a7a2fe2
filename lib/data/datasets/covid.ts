/**
 * The COVID-19 image data collection (Cohen, Morrison, Dao 2020), everything about it in one
 * place: where it comes from (pinned), how its `metadata.csv` becomes records (frontal X-rays
 * whose file is present, labelled COVID-19 vs other, every skipped row reported with its
 * reason), how it is split (by patient, stratified on COVID-19), and where its lung annotations
 * are.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import type { Profile } from "../../config.ts";
import { type MalformedRowPolicy, readCsv } from "../_csv.ts";
import { filesIn, safeChild } from "../_files.ts";
import type { XrayDataset } from "../dataset.ts";
import { type PlanItem, resolveSource, type SourceSettings } from "../fetch.ts";
import { type SkippedRow, toVocabulary, type XrayRecord } from "../record.ts";
import { patientSplit, type SplitFractions, type Splits } from "../splits.ts";
import type { LungMask } from "../lung_mask.ts";
import { datasetDir } from "./_registry.ts";
import pins from "./pins/covid-chestxray.json" with { type: "json" };

/** The collection's key (a record's `source`) and folder under the data root. */
export const COVID_KEY = "covid-chestxray";

/** The collection's GitHub repository and the pinned commit (an upstream commit; see README). */
export const COVID_REPOSITORY = "ieee8023/covid-chestxray-dataset";
export const COVID_COMMIT: string = pins.commit;

/** A COVID-19 collection record: binary label of the study plus the image licence. */
export interface CovidRecord extends XrayRecord {
  /** True when the finding mentions COVID-19. */
  readonly covid: boolean;
  readonly license: string;
  /** 1-based line of the row in `metadata.csv`. */
  readonly line: number;
  /**
   * Where the image was published: the host of its `url` column (a website, journal or
   * hospital upload; `www.` dropped), or "unknown". The source-only control of the shortcut
   * chapter reads it.
   */
  readonly publisher: string;
}

/** View positions counted as frontal (posteroanterior or anteroposterior). */
const FRONTAL_VIEWS: ReadonlySet<string> = new Set([
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
  const dir = options.dir ?? datasetDir(COVID_KEY);
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
    } else if (v.folder.trim() !== "images") {
      // only images/ is read: a folder column naming anything else is never joined to a path
      // that could be opened or printed as if it were one of the dataset's files
      const folder = safeChild(dir, v.folder.trim());
      skipped.push({
        ...base,
        reason: "unsafe" in folder ? "unsafe-path" : "missing-file",
        detail: "unsafe" in folder
          ? `folder ${folder.unsafe.replace(/^file name /, "")}`
          : `folder "${v.folder.trim()}" is not images/, the only folder read`,
      });
    } else if (!present.has(v.filename)) {
      skipped.push({
        ...base,
        reason: "missing-file",
        detail: `${join(dir, "images", v.filename)} is not on disk`,
      });
    } else if (finding === "todo") {
      skipped.push({ ...base, reason: "todo", detail: "finding not yet labelled (todo)" });
    } else {
      const findings = splitFindings(finding);
      records.push({
        source: COVID_KEY,
        imageId: v.filename,
        path: join(dir, "images", v.filename),
        patientId: v.patientid.trim(),
        view,
        findings,
        findingText: finding,
        labels: toVocabulary(findings),
        covid: /COVID-19/.test(finding),
        license: (v.license ?? "").trim(),
        line,
        publisher: hostOf(v.url ?? ""),
      });
    }
  }
  return { records, skipped, rows: table.rows.length + table.malformed.length, metadataPath };
}

// "https://www.sirm.org/…" → "sirm.org"; anything unparsable → "unknown".
function hostOf(url: string): string {
  try {
    return new URL(url.trim()).hostname.replace(/^www\./, "") || "unknown";
  } catch {
    return "unknown";
  }
}

// "COVID-19, ARDS" → ["COVID-19", "ARDS"]; "No Finding" → [].
function splitFindings(text: string): string[] {
  if (text === "No Finding") return [];
  return text.split(/,\s*/).map((f) => f.trim()).filter((f) => f.length > 0);
}

/** The default shares of images: 60% train, 20% validation, 20% test. */
const COVID_SPLIT_FRACTIONS: SplitFractions = { train: 0.6, val: 0.2, test: 0.2 };

/** Seeded, stratified patient-level split of COVID-19 collection records. */
export function covidSplit(
  records: readonly CovidRecord[],
  seed: number,
  fractions: SplitFractions = COVID_SPLIT_FRACTIONS,
): Splits<CovidRecord> {
  return patientSplit(records, {
    fractions,
    seed,
    stratum: (images) => (images.some((r) => r.covid) ? "COVID-19" : "other"),
  });
}

type LungBoxes = Map<string, { width: number; height: number; boxes: number[][] }>;
// read once per annotations folder
const boxesByFolder = new Map<string, Promise<LungBoxes>>();

/** The lung mask of a COVID-19 collection image, or undefined when none is annotated. */
export async function covidLungMask(
  record: XrayRecord,
  side: number,
  datasetFolder: string = datasetDir(COVID_KEY),
): Promise<LungMask | undefined> {
  const dir = join(datasetFolder, "annotations");
  const stem = record.imageId.replace(/\.[^.]+$/, "");
  for (
    const [source, file] of [
      // V7 Labs masks are PNGs named exactly as the image, extension included
      ["v7labs", join(dir, "v7labs-lung-masks", record.imageId)],
      ["lungVAE", join(dir, "lungVAE-masks", `${stem}_mask.png`)],
    ] as const
  ) {
    try {
      const { data } = await sharp(await Deno.readFile(file))
        .greyscale()
        .resize(side, side, { fit: "fill" })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { side, source, data: Uint8Array.from(data, (v) => (v > 127 ? 1 : 0)) };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw new Error(`${file}: ${(e as Error).message}`);
    }
  }
  const entry = (await lungBoxes(dir)).get(record.imageId);
  if (!entry) return undefined;
  // boxes are in the original image's frame; the image is stretched to side×side
  const data = new Uint8Array(side * side);
  for (const [x, y, w, h] of entry.boxes) {
    const x0 = Math.floor((x / entry.width) * side), x1 = Math.ceil(((x + w) / entry.width) * side);
    const y0 = Math.floor((y / entry.height) * side),
      y1 = Math.ceil(((y + h) / entry.height) * side);
    for (let r = Math.max(0, y0); r < Math.min(side, y1); r++) {
      for (let c = Math.max(0, x0); c < Math.min(side, x1); c++) data[r * side + c] = 1;
    }
  }
  return { side, source: "boxes", data };
}

function lungBoxes(dir: string): Promise<LungBoxes> {
  let boxes = boxesByFolder.get(dir);
  if (boxes) return boxes;
  boxes = (async () => {
    const file = join(dir, "imageannotation_ai_lung_bounding_boxes.json");
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      console.warn(`${file} is missing: no lung boxes (deno task data covid fetches it)`);
      return new Map();
    }
    const json = JSON.parse(text) as {
      images: { id: number; file_name: string; width: number; height: number }[];
      annotations: { image_id: number; bbox: number[] }[];
    };
    const byId = new Map(json.images.map((i) => [i.id, i]));
    const out: LungBoxes = new Map();
    for (const a of json.annotations) {
      const image = byId.get(a.image_id);
      if (!image) continue;
      const entry = out.get(image.file_name) ??
        { width: image.width, height: image.height, boxes: [] };
      entry.boxes.push(a.bbox);
      out.set(image.file_name, entry);
    }
    return out;
  })();
  boxesByFolder.set(dir, boxes);
  return boxes;
}

/**
 * What the collection needs fetched: metadata.csv, every image and the lung annotations chapter 4
 * uses (the lung boxes and the lungVAE masks), each with its pin. Only metadata.csv is required:
 * a missing image is reported by the loader, a missing annotation means one mask fewer.
 */
function covidPlan(root: string, settings: SourceSettings): PlanItem[] {
  const dir = join(root, COVID_KEY);
  const filePins = settings.pins?.[COVID_KEY] ?? pins.files;
  const { base, source } = resolveSource(settings, COVID_KEY, "XRAY_COVID_BASE_URL", {
    url: `https://raw.githubusercontent.com/${COVID_REPOSITORY}/${COVID_COMMIT}`,
    text: `github.com/${COVID_REPOSITORY} @ ${COVID_COMMIT.slice(0, 7)}`,
  });
  return [{
    name: "COVID-19 image data collection (metadata.csv, images, lung annotations)",
    source,
    dir,
    files: Object.entries(filePins).map(([path, pin]) => ({
      url: `${base}/${path.split("/").map(encodeURIComponent).join("/")}`,
      dest: join(dir, path),
      pin,
      required: path === "metadata.csv",
    })),
  }];
}

/** The COVID-19 image data collection as a registered dataset. */
export const covidDataset: XrayDataset<CovidRecord> = {
  info: {
    key: COVID_KEY,
    folder: COVID_KEY,
    title: "COVID-19 image data collection (Cohen et al. 2020)",
    homepage: "https://github.com/ieee8023/covid-chestxray-dataset",
    licence: "per image, see metadata.csv (CC BY-NC-SA, CC BY, Apache 2.0, …)",
  },
  load: (dir) => loadCovid({ dir }),
  split: (records, seed) => covidSplit(records, seed),
  plan: (root, settings, _profile: Profile) => covidPlan(root, settings),
  lungMask: (record, side, dir) => covidLungMask(record, side, dir),
};
