/**
 * A control that sees only what the CNN sees, minus the anatomy: from each image's model input
 * (decoded, resized to the side, normalised exactly as the network receives it) it keeps an 8×8
 * average-pooled thumbnail, a 16-bin histogram of the input values and five order statistics.
 * Nothing about the stored file (size, shape, bit depth) — the network never sees those either.
 * If a classifier on these alone tells COVID-19 images from ChestX-ray14 images, the two
 * collections differ in global brightness, contrast and layout, and a CNN can use the same
 * shortcut.
 * @module
 */
import { decodeGrey } from "../data/images.ts";
import { channelTransform, type ModelName, writeModelInput } from "../data/normalise.ts";
import type { XrayRecord } from "../data/record.ts";
import { Progress, withActivity } from "../progress.ts";
import type { FeatureTable } from "../train/features.ts";

const POOL = 8;
const BINS = 16;

/** Names of the cue features, in order. */
const INPUT_CUES = [
  ...Array.from({ length: POOL * POOL }, (_, i) => `thumb ${i}`),
  ...Array.from({ length: BINS }, (_, i) => `histogram ${i}`),
  "mean",
  "sd",
  "p5",
  "p50",
  "p95",
] as const;

/** The cue features of every record's model input at `side` for `arch`. */
export function inputCueFeatures(
  records: readonly XrayRecord[],
  side: number,
  arch: ModelName,
): Promise<FeatureTable> {
  return withActivity("model-input cues", async () => {
    const progress = new Progress("model-input cues", records.length, { unit: "img" });
    const byPath = new Map<string, Float32Array>();
    const input = new Float32Array(side * side * 3);
    for (const r of records) {
      writeModelInput(await decodeGrey(r.path, side), arch, input);
      byPath.set(r.path, cues(input, side, arch));
      progress.tick();
    }
    await progress.finish();
    return { dim: INPUT_CUES.length, byPath, computed: records.length };
  });
}

// One channel of the input (grey was replicated into all three), summarised; the histogram
// spans the range the normalisation maps 0…255 to, the same for every image.
function cues(input: Float32Array, side: number, arch: ModelName): Float32Array {
  const t = channelTransform(arch);
  const lo = (0 - t.offset[0]) / t.divisor[0], hi = (255 * t.scale - t.offset[0]) / t.divisor[0];
  const grey = Float32Array.from({ length: side * side }, (_, i) => input[i * 3]);
  const cell = side / POOL;
  const thumb = Array.from({ length: POOL * POOL }, (_, k) => {
    const r0 = Math.floor(k / POOL) * cell, c0 = (k % POOL) * cell;
    let s = 0;
    for (let r = r0; r < r0 + cell; r++) {
      for (let c = c0; c < c0 + cell; c++) s += grey[r * side + c];
    }
    return s / (cell * cell);
  });
  const sorted = Float32Array.from(grey).sort();
  const histogram = new Array<number>(BINS).fill(0);
  for (const v of grey) {
    histogram[Math.min(BINS - 1, Math.floor(((v - lo) / (hi - lo || 1)) * BINS))]++;
  }
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))];
  const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
  const sd = Math.sqrt(grey.reduce((a, v) => a + (v - mean) ** 2, 0) / grey.length);
  return Float32Array.from([
    ...thumb,
    ...histogram.map((h) => h / grey.length),
    mean,
    sd,
    at(0.05),
    at(0.5),
    at(0.95),
  ]);
}
