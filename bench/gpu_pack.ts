/**
 * The data `bench/gpu.sh` carries to a GPU machine (no network there, 64 MiB of files in all),
 * made here from the data root: chapter 3's COVID-19 images of patient fold 0, already decoded
 * to grey pixels at 224 px by the library's own decoder (the GPU machine has no image decoder;
 * these are the bytes the image cache would hold), and DenseNet121's ImageNet weights in half
 * precision (half the size; widened back to float32 there, each weight within 2⁻¹¹ of its value).
 *
 * ```sh
 * deno run -A bench/gpu_pack.ts <out folder>     # called by `bash bench/gpu.sh pack`
 * ```
 * @module
 */
import { join } from "node:path";
import { PROFILES } from "../lib/config.ts";
import { decodeGrey } from "../lib/data/images.ts";
import { covidStudyData } from "../lib/experiments/study_data.ts";
import { imagenetWeights } from "../lib/data/imagenet_weights.ts";
import { toHalf } from "./_float16.ts";

const out = Deno.args[0];
if (!out) {
  console.error("usage: deno run -A bench/gpu_pack.ts <out folder>");
  Deno.exit(2);
}
await Deno.mkdir(out, { recursive: true });
const side = PROFILES.paper.imageSide;

// --- COVID-19 fold 0 (its train, validation and test parts), decoded ---------------------------
const covid = await covidStudyData(PROFILES.paper);
const split = covid.folds[0];
const parts = [["train", split.train], ["val", split.val], ["test", split.test]] as const;
const images: { imageId: string; patientId: string; covid: boolean; part: string }[] = [];
const pixels = new Uint8Array(
  (split.train.length + split.val.length + split.test.length) * side * side,
);
for (const [part, records] of parts) {
  for (const r of records) {
    const grey = await decodeGrey(r.path, side);
    pixels.set(grey.data, images.length * side * side);
    images.push({ imageId: r.imageId, patientId: r.patientId, covid: r.covid, part });
  }
}
await Deno.writeFile(join(out, "covid224.bin"), pixels);
await Deno.writeTextFile(
  join(out, "covid224.json"),
  JSON.stringify({ side, split: 0, scale: covid.scale, images }),
);

// --- DenseNet121 ImageNet weights, half precision -----------------------------------------
const modelJson = await imagenetWeights("densenet121");
const model = JSON.parse(await Deno.readTextFile(modelJson));
const dir = join(modelJson, "..");
const halves: number[] = [];
for (const group of model.weightsManifest) {
  const bytes: Uint8Array[] = [];
  for (const p of group.paths) bytes.push(await Deno.readFile(join(dir, p)));
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) all.set(b, (at += b.length) - b.length);
  for (const w of group.weights) {
    if (w.dtype !== "float32" || w.quantization) throw new Error(`${w.name}: not float32`);
  }
  const floats = new Float32Array(all.buffer, 0, all.length / 4);
  for (const v of floats) halves.push(toHalf(v));
}
await Deno.mkdir(join(out, "densenet121"), { recursive: true });
await Deno.writeFile(
  join(out, "densenet121", "weights.f16"),
  new Uint8Array(Uint16Array.from(halves).buffer),
);
await Deno.writeTextFile(join(out, "densenet121", "model.json"), JSON.stringify(model));
console.log(JSON.stringify({
  covidImages: images.length,
  parts: Object.fromEntries(parts.map(([p, rs]) => [p, rs.length])),
  weights: halves.length,
}));
