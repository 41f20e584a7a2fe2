/**
 * A control that sees only where an image came from, not what it shows: stored size, bit depth,
 * colour channels, file size, intensity statistics and an 8×8 blurred thumbnail. If a classifier
 * on these alone tells COVID-19 images from ChestX-ray14 images, the two collections differ in
 * ways unrelated to disease, and a CNN can use the same shortcut.
 * @module
 */
import { decodeGrey, imageInfo } from "../data/images.ts";
import type { XrayRecord } from "../data/records.ts";
import { Progress } from "../progress.ts";
import type { FeatureTable } from "../train/features.ts";

/** Names of the cue features, in order. */
export const SOURCE_CUES = [
  "log width",
  "log height",
  "aspect",
  "log file bytes",
  "bits",
  "channels",
  "mean",
  "std",
  "p5",
  "p50",
  "p95",
  ...Array.from({ length: 64 }, (_, i) => `thumb ${i}`),
] as const;

/** Cue features of every record, standardised with the statistics of `reference` records. */
export async function sourceCueFeatures(
  records: readonly XrayRecord[],
  reference: readonly XrayRecord[],
): Promise<FeatureTable> {
  const progress = new Progress("source cues", records.length, { unit: "img" });
  const raw = new Map<string, number[]>();
  for (const r of records) {
    const info = await imageInfo(r.path);
    const bytes = (await Deno.stat(r.path)).size;
    const grey = await decodeGrey(r.path, 64);
    const thumb = await decodeGrey(r.path, 8);
    const sorted = Float64Array.from(grey.data).sort();
    const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))];
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    const std = Math.sqrt(sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / sorted.length);
    raw.set(r.path, [
      Math.log(info.width),
      Math.log(info.height),
      info.width / info.height,
      Math.log(bytes),
      info.bitDepth,
      info.channels,
      mean,
      std,
      at(0.05),
      at(0.5),
      at(0.95),
      ...thumb.data,
    ]);
    progress.tick();
  }
  await progress.finish();
  // standardise with the reference (training) records only: no peeking at the test set
  const dim = SOURCE_CUES.length;
  const ref = reference.map((r) => raw.get(r.path)!).filter(Boolean);
  const mu = Array.from({ length: dim }, (_, d) => ref.reduce((a, v) => a + v[d], 0) / ref.length);
  const sd = Array.from(
    { length: dim },
    (_, d) => Math.sqrt(ref.reduce((a, v) => a + (v[d] - mu[d]) ** 2, 0) / ref.length) || 1,
  );
  const byPath = new Map<string, Float32Array>();
  for (const [path, v] of raw) {
    byPath.set(
      path,
      Float32Array.from(v, (x, d) => (x - mu[d]) / sd[d]),
    );
  }
  return { dim, byPath, computed: records.length };
}
