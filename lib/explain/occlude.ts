/**
 * Taking the lungs out of an X-ray, or everything but the lungs: the shortcut test of DeGrave,
 * Janizek and Lee (2021). A model that still tells COVID-19 apart with the lungs replaced by a
 * flat fill is using something outside them — markers, text, borders, the patient's position.
 *
 * The mask is dilated a little first (annotations trace the lungs tightly, and a model should
 * not be able to read the lung outline off the edge of the fill), then the region is replaced by
 * one grey level: the mean of the image's pixels that are kept, so the fill does not change the
 * image's overall brightness much, and no edge is drawn that the image did not have.
 * @module
 */
import type { GreyImage } from "../data/images.ts";
import type { LungMask } from "../data/lung_mask.ts";

/** Which part of the image to keep. */
export type Keep = "outside-lungs" | "lungs-only";

/** A mask grown by `radius` pixels (a disc: any pixel within the radius of a mask pixel). */
export function dilateMask(mask: LungMask, radius: number): LungMask {
  const { side, data } = mask;
  const out = new Uint8Array(side * side);
  const r2 = radius * radius;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (!data[y * side + x]) continue;
      for (let dy = -radius; dy <= radius; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= side) continue;
        for (let dx = -radius; dx <= radius; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= side || dx * dx + dy * dy > r2) continue;
          out[yy * side + xx] = 1;
        }
      }
    }
  }
  return { side, data: out, source: mask.source };
}

/**
 * The image with one part replaced by a flat fill: `outside-lungs` fills the mask (the lungs
 * removed), `lungs-only` fills everything outside it. The fill is the mean grey of the kept
 * pixels (rounded). Mask and image must have the same side.
 * @throws Error when they do not: a mask is never stretched silently
 */
export function occlude(image: GreyImage, mask: LungMask, keep: Keep): GreyImage {
  if (mask.side !== image.side) {
    throw new Error(`lung mask is ${mask.side} px, image ${image.side} px: they do not fit`);
  }
  const filled = (
    i: number,
  ) => (keep === "outside-lungs" ? mask.data[i] === 1 : mask.data[i] === 0);
  let sum = 0, kept = 0;
  for (let i = 0; i < image.data.length; i++) {
    if (!filled(i)) {
      sum += image.data[i];
      kept++;
    }
  }
  const fill = kept ? Math.round(sum / kept) : 128;
  const data = Uint8Array.from(image.data, (v, i) => (filled(i) ? fill : v));
  return { side: image.side, data };
}

/**
 * Pixels of dilation at a side: 1/32 of it (4 px at 128 px, 7 at 224), at least 1 — a margin for
 * the annotations' imprecision at the lung border, an eighth of a CAM cell (stride 32).
 */
export function dilationAt(side: number): number {
  return Math.max(1, Math.round(side / 32));
}
