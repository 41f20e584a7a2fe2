/**
 * Holding a published gallery copy against its SOURCE file: both decoded, the source turned
 * grey and reduced to the copy's size here by pixel-area averaging, then compared (correlation)
 * — an oracle independent of the copy, used by the gallery's unit test and the site test.
 * @module
 */
import { decodeRgba } from "../../lib/data/images.ts";
import { rgbaToGrey } from "../../lib/data/preprocess.ts";
import { GALLERY_SIDE } from "../../site/staging/gallery.ts";

/** A grey image reduced to `w`×`h` by averaging the source pixels each output pixel covers. */
export function areaReduce(
  grey: ArrayLike<number>,
  width: number,
  height: number,
  w: number,
  h: number,
): Float64Array {
  const out = new Float64Array(w * h);
  const sx = width / w, sy = height / h;
  for (let oy = 0; oy < h; oy++) {
    const y0 = oy * sy, y1 = y0 + sy;
    for (let ox = 0; ox < w; ox++) {
      const x0 = ox * sx, x1 = x0 + sx;
      let sum = 0, area = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const fy = Math.min(y1, y + 1) - Math.max(y0, y);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const f = fy * (Math.min(x1, x + 1) - Math.max(x0, x));
          sum += grey[y * width + x] * f;
          area += f;
        }
      }
      out[oy * w + ox] = sum / area;
    }
  }
  return out;
}

/** Pearson correlation of two equally long arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) (ma += a[i], mb += b[i]);
  ma /= a.length;
  mb /= b.length;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The size a fit inside `side`×`side` gives, never enlarged. */
export function fitInside(width: number, height: number, side: number): [number, number] {
  const scale = Math.min(1, side / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/**
 * A published copy held against its source: same size as a fit inside gives, and the source,
 * reduced independently to that size, correlating at ≥ 0.99 with the decoded copy.
 */
export async function copyMatchesSource(
  copyFile: string,
  sourceFile: string,
): Promise<{ size: [number, number]; expected: [number, number]; r: number }> {
  const source = await decodeRgba(sourceFile);
  const copy = await decodeRgba(copyFile);
  const expected = fitInside(source.width, source.height, GALLERY_SIDE);
  const reduced = areaReduce(rgbaToGrey(source), source.width, source.height, ...expected);
  const size: [number, number] = [copy.width, copy.height];
  const r = size[0] === expected[0] && size[1] === expected[1]
    ? correlation(reduced, rgbaToGrey(copy))
    : NaN;
  return { size, expected, r };
}
