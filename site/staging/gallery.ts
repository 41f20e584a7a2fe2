/**
 * The try-it page's gallery: test images of the published models' fold — images none of the
 * page's models trained or validated on — whose licence allows sharing an adapted copy, saved
 * as small grey PNGs with their credit line.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import {
  COVID_COMMIT,
  COVID_REPOSITORY,
  type CovidRecord,
  decodeRgba,
  rgbaToGrey,
} from "../../lib/mod.ts";

/** Licences that allow publishing a resized copy (no "no-derivatives", no unknown terms). */
export const SHAREABLE_LICENCES: ReadonlySet<string> = new Set([
  "CC BY",
  "CC BY 3.0",
  "CC BY 4.0",
  "CC BY-SA",
  "CC BY-NC-SA",
  "CC BY-NC-SA 4.0",
  "Apache 2.0",
]);

/** Longest side of a gallery copy, in pixels: above every profile's input side (224). */
export const GALLERY_SIDE = 320;

/**
 * Up to `perClass` COVID-19 and `perClass` other images, spread evenly over the sorted test
 * set (one image per patient), from those with a shareable licence.
 */
export function pickGallery(test: readonly CovidRecord[], perClass: number): CovidRecord[] {
  const byPatient = new Map<string, CovidRecord>();
  for (const r of [...test].sort((a, b) => a.imageId.localeCompare(b.imageId))) {
    if (SHAREABLE_LICENCES.has(r.license) && !byPatient.has(r.patientId)) {
      byPatient.set(r.patientId, r);
    }
  }
  const pool = [...byPatient.values()];
  return [true, false].flatMap((covid) => {
    const group = pool.filter((r) => r.covid === covid);
    const n = Math.min(perClass, group.length);
    return Array.from({ length: n }, (_, i) => group[Math.floor((i * group.length) / n)]);
  });
}

/**
 * Write a grey PNG copy (longest side ≤ {@link GALLERY_SIDE}) of a record's image: decoded as
 * the library decodes it, turned grey as the model input is, reduced, and saved with one
 * channel. Returns the copy's and the original's size.
 */
export async function writeGalleryCopy(
  record: CovidRecord,
  dir: string,
  name: string,
): Promise<{
  file: string;
  width: number;
  height: number;
  original: { width: number; height: number };
}> {
  const rgba = await decodeRgba(record.path);
  const grey = rgbaToGrey(rgba);
  // one pipeline from the grey raw pixels to the PNG: sharp's resize widens one raw channel
  // to three, so the colour space is set back to one channel before encoding
  const { data: png, info } = await sharp(grey, {
    raw: { width: rgba.width, height: rgba.height, channels: 1 },
  })
    .resize(GALLERY_SIDE, GALLERY_SIDE, { fit: "inside", withoutEnlargement: true })
    .toColourspace("b-w")
    .png({ compressionLevel: 9 })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) {
    throw new Error(`${record.path}: gallery copy has ${info.channels} channels, expected 1`);
  }
  await Deno.writeFile(join(dir, name), png);
  return {
    file: name,
    width: info.width,
    height: info.height,
    original: { width: rgba.width, height: rgba.height },
  };
}

/** Where the original of a record is, in the pinned collection. */
export function sourceUrl(record: CovidRecord): string {
  return `https://github.com/${COVID_REPOSITORY}/blob/${COVID_COMMIT}/images/${
    encodeURIComponent(record.imageId)
  }`;
}
