/**
 * From decoded pixels to the model's grey square: one grey level per pixel (alpha composited on
 * black, Rec. 709 luma of the sRGB values), then resized to `side`×`side` — by pixel-area
 * averaging when shrinking (every source pixel counts by the area it covers), bilinearly when
 * enlarging. Plain TypeScript with no runtime dependency, so that the library (pixels decoded by
 * sharp) and the report's in-browser page (pixels decoded by the browser) prepare an image the
 * same way, to the last grey level.
 * @module
 */

/** Decoded pixels: RGBA, 4 bytes per pixel, row-major. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Grey levels of RGBA pixels: alpha composited on black, then Rec. 709 luma, rounded. */
export function rgbaToGrey(image: Rgba): Uint8Array {
  const { width, height, data } = image;
  const grey = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 4) {
    const a = data[p + 3] / 255;
    const luma = 0.2126 * data[p] + 0.7152 * data[p + 1] + 0.0722 * data[p + 2];
    grey[i] = Math.round(luma * a);
  }
  return grey;
}

/**
 * A grey image stretched to `side`×`side` (as the study's 224×224 resize did): pixel-area
 * averaging along an axis that shrinks, bilinear interpolation along one that grows.
 */
export function resizeGrey(
  grey: Uint8Array,
  width: number,
  height: number,
  side: number,
): Uint8Array {
  const rows = resample(grey, width, height, side, "x"); // side × height
  const out = resample(rows, side, height, side, "y"); // side × side
  return Uint8Array.from(out, (v) => Math.min(255, Math.max(0, Math.round(v))));
}

// One axis of the resize, in floating point (rounded once, at the end).
function resample(
  src: ArrayLike<number>,
  width: number,
  height: number,
  size: number,
  axis: "x" | "y",
): Float64Array {
  const length = axis === "x" ? width : height;
  const other = axis === "x" ? height : width;
  const outWidth = axis === "x" ? size : width;
  const out = new Float64Array(axis === "x" ? size * height : width * size);
  const at = (i: number, j: number) => (axis === "x" ? src[j * width + i] : src[i * width + j]);
  const put = (i: number, j: number, v: number) => {
    if (axis === "x") out[j * outWidth + i] = v;
    else out[i * outWidth + j] = v;
  };
  const scale = length / size;
  for (let i = 0; i < size; i++) {
    if (scale >= 1) {
      // the output pixel covers [i·scale, (i+1)·scale) of the input
      const from = i * scale, to = from + scale;
      const first = Math.floor(from), last = Math.min(length - 1, Math.ceil(to) - 1);
      for (let j = 0; j < other; j++) {
        let sum = 0;
        for (let k = first; k <= last; k++) {
          const cover = Math.min(to, k + 1) - Math.max(from, k);
          sum += at(k, j) * cover;
        }
        put(i, j, sum / scale);
      }
    } else {
      // pixel centres aligned: output centre i + ½ maps to input (i + ½)·scale − ½
      const x = Math.min(length - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const k = Math.floor(x), f = x - k, k1 = Math.min(length - 1, k + 1);
      for (let j = 0; j < other; j++) put(i, j, at(k, j) * (1 - f) + at(k1, j) * f);
    }
  }
  return out;
}
