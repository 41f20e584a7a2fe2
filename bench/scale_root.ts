/**
 * Makes a synthetic ChestX-ray14 data root at the study's size, for `bench/scale.ts`: every one
 * of the 112,120 file names, patients and labels of the real label file, the real official split
 * lists, and one small grey PNG per name whose content makes the labels a little learnable (each
 * finding adds a faint blob at a place of its own to a chest-like picture). The COVID-19
 * collection and the weights are symbolic links to a real data root, so the paper profile's
 * loaders find everything they expect.
 *
 * ```sh
 * deno run -A bench/scale_root.ts --out /work/scale-root [--sizes 10000,50000] [--px 256]
 * ```
 *
 * writes `<out>/full/` (all images) and `<out>/n10000/`, `<out>/n50000/` (the first N rows of the
 * label file, whole patients, hard links to the same PNGs: no extra disk), each a data root
 * (`XRAY_DATA_DIR`), and `<out>/scale-root.json`. The label file and lists come from
 * `XRAY_DATA_DIR` (or `--from <data root>`). Runs again resume: PNGs already written are kept.
 * The output must lie outside the repository (a copy of the label file is real data).
 * @module
 */
import { parseArgs } from "node:util";
import { join, relative, resolve } from "node:path";
import sharp from "sharp";
import { dataRoot, dataRootLabel, PROJECT_ROOT } from "../lib/config.ts";
import { readCsv } from "../lib/data/_csv.ts";
import { NIH_FINDINGS } from "../lib/data/record.ts";
import { deriveSeed, Rng } from "../lib/rng.ts";
import { Progress } from "../lib/progress.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string" },
    from: { type: "string" },
    sizes: { type: "string", default: "10000,50000" },
    px: { type: "string", default: "256" },
    // the first rows only (to try the generator quickly)
    limit: { type: "string" },
  },
});
if (!args.values.out) {
  console.error("usage: deno run -A bench/scale_root.ts --out <folder outside the repository>");
  Deno.exit(2);
}
const out = resolve(args.values.out);
if (!relative(PROJECT_ROOT, out).startsWith("..")) {
  console.error(`${out} lies inside the repository: choose a folder outside it`);
  Deno.exit(2);
}
const from = resolve(args.values.from ?? dataRoot());
const px = Number(args.values.px);
if (!(px >= 224)) {
  console.error(`--px ${args.values.px}: the paper profile keeps images stored at ≥ 224 px`);
  Deno.exit(2);
}
const subsetSizes = args.values.sizes.split(",").filter(Boolean).map(Number);

const NIH = "nih-chestxray14";
const LABEL_FILE = "Data_Entry_2017_v2020.csv";
const LISTS = ["train_val_list.txt", "test_list.txt"];

const table = await readCsv(join(from, NIH, LABEL_FILE), {
  required: ["Image Index", "Finding Labels", "Patient ID"],
});
const rows = table.rows.slice(0, Number(args.values.limit ?? Infinity)).map(({ values: v }) => ({
  imageId: v["Image Index"].trim(),
  patientId: v["Patient ID"].trim(),
  findings: v["Finding Labels"].split("|").map((f) => f.trim()),
}));

/** A data root with the metadata and links to the other datasets; its images folder. */
async function makeRoot(root: string): Promise<string> {
  const dir = join(root, NIH);
  await Deno.mkdir(join(dir, "images"), { recursive: true });
  for (const name of [LABEL_FILE, ...LISTS]) await link(join(from, NIH, name), join(dir, name));
  for (const other of ["covid-chestxray", "weights"]) {
    await link(join(from, other), join(root, other));
  }
  return join(dir, "images");
}

async function link(target: string, path: string): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch {
    await Deno.symlink(target, path);
  }
}

// --- pictures --------------------------------------------------------------------------------

// A chest-like picture: bright body, two darker lungs; the same for every image.
const base = new Float32Array(px * px);
for (let y = 0; y < px; y++) {
  for (let x = 0; x < px; x++) {
    const u = (x - px / 2) / (px / 2), v = (y - px / 2) / (px / 2);
    const body = Math.exp(-((u / 0.85) ** 4 + (v / 0.95) ** 4));
    const lung = (cx: number) => Math.exp(-(((u - cx) / 0.3) ** 2 + ((v + 0.05) / 0.55) ** 2));
    base[y * px + x] = 40 + 150 * body - 90 * (lung(-0.38) + lung(0.38));
  }
}

// Each finding: a faint blob at its own place inside the lungs (a 4 × 4 grid, 14 used).
const SIGMA = px / 24;
const blobAt = NIH_FINDINGS.map((_, k) => ({
  x: px * (0.22 + 0.18 * (k % 4)),
  y: px * (0.25 + 0.17 * Math.floor(k / 4)),
}));

// Light noise, drawn once: each image reads it from its own offset (drawing it per pixel would
// make the generator slower than the PNG encoder).
const NOISE = (() => {
  const rng = new Rng(7);
  return Int8Array.from({ length: 4 * px * px }, () => rng.int(5) - 2);
})();

function picture(imageId: string, patientId: string, findings: readonly string[]): Uint8Array {
  const patient = new Rng(deriveSeed(7, "patient", patientId));
  const gain = patient.uniform(0.8, 1.15), offset = patient.uniform(-20, 20);
  const rng = new Rng(deriveSeed(7, "image", imageId));
  const img = new Float32Array(px * px);
  for (let i = 0; i < img.length; i++) img[i] = base[i] * gain + offset;
  findings.forEach((f) => {
    const k = (NIH_FINDINGS as readonly string[]).indexOf(f);
    if (k < 0) return; // "No Finding"
    const cx = blobAt[k].x + rng.uniform(-px / 32, px / 32);
    const cy = blobAt[k].y + rng.uniform(-px / 32, px / 32);
    const amplitude = rng.uniform(12, 24);
    const r = Math.ceil(3 * SIGMA);
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(px, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(px, cx + r); x++) {
        img[y * px + x] += amplitude *
          Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * SIGMA ** 2));
      }
    }
  });
  const grey = new Uint8Array(px * px);
  const from = rng.int(3 * px * px);
  for (let i = 0; i < img.length; i++) {
    const v = img[i] + NOISE[from + i];
    grey[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return grey;
}

// --- the full root ---------------------------------------------------------------------------

const started = performance.now();
const fullImages = await makeRoot(join(out, "full"));
const present = new Set<string>();
for await (const e of Deno.readDir(fullImages)) if (e.isFile) present.add(e.name);
const todo = rows.filter((r) => !present.has(r.imageId));
const progress = new Progress(`write ${todo.length} PNGs (${px} px)`, todo.length, { unit: "img" });
let next = 0;
const writer = async () => {
  while (next < todo.length) {
    const r = todo[next++];
    const path = join(fullImages, r.imageId);
    const pixels = picture(r.imageId, r.patientId, r.findings);
    // write under a temporary name: an interrupted run leaves no truncated PNG behind
    await sharp(pixels, { raw: { width: px, height: px, channels: 1 } })
      .png({ compressionLevel: 6 }).toFile(`${path}.tmp`);
    await Deno.rename(`${path}.tmp`, path);
    progress.tick();
  }
};
await Promise.all(Array.from({ length: 6 }, writer));
await progress.finish();

// --- subsets: the first N rows (rows are ordered by patient), hard links --------------------

const subsets: Record<string, number> = { full: rows.length };
for (const size of subsetSizes) {
  let n = Math.min(size, rows.length);
  // do not cut a patient in two
  while (n < rows.length && n > 0 && rows[n].patientId === rows[n - 1].patientId) n++;
  const images = await makeRoot(join(out, `n${size}`));
  for (const r of rows.slice(0, n)) {
    try {
      await Deno.link(join(fullImages, r.imageId), join(images, r.imageId));
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
  subsets[`n${size}`] = n;
}

let bytes = 0;
for await (const e of Deno.readDir(fullImages)) {
  if (e.isFile) bytes += (await Deno.stat(join(fullImages, e.name))).size;
}
const manifest = {
  generator: "bench/scale_root.ts",
  // where the label file came from, never a machine's absolute path
  from: dataRootLabel(from),
  px,
  images: rows.length,
  patients: new Set(rows.map((r) => r.patientId)).size,
  roots: subsets,
  bytes,
  secondsThisRun: Math.round((performance.now() - started) / 1000),
  createdAt: new Date().toISOString(),
};
await Deno.writeTextFile(join(out, "scale-root.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(JSON.stringify(manifest));
