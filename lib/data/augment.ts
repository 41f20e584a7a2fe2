/**
 * Training-time augmentation as in the study: horizontal flip, rotation within ±20°, a small
 * random affine (shift, scale, shear) and brightness/contrast jitter. Seeded: the same
 * generator state gives the same output.
 * @module
 */
import type { Rng } from "../rng.ts";
import type { GreyImage } from "./images.ts";

/** Augmentation ranges. Defaults follow the study (flip p = 0.5, ±20°, jitter 0.5). */
export interface AugmentOptions {
  readonly flipProbability: number;
  readonly maxRotationDegrees: number;
  /** Maximum shift as a fraction of the side. */
  readonly maxShift: number;
  /** Scale drawn from [1 − s, 1 + s]. */
  readonly maxScaleChange: number;
  readonly maxShearDegrees: number;
  /** Brightness factor drawn from [1 − b, 1 + b]. */
  readonly brightness: number;
  /** Contrast factor drawn from [1 − c, 1 + c], around the image mean. */
  readonly contrast: number;
}

/** The study's augmentation (colour jitter 0.5 reduces to brightness and contrast on grey). */
export const STUDY_AUGMENTATION: AugmentOptions = {
  flipProbability: 0.5,
  maxRotationDegrees: 20,
  maxShift: 0.05,
  maxScaleChange: 0.05,
  maxShearDegrees: 5,
  brightness: 0.5,
  contrast: 0.5,
};

/** The parameters drawn for one image; `augmentWith` applies them. */
export interface AugmentParams {
  readonly flip: boolean;
  readonly rotation: number;
  readonly shiftX: number;
  readonly shiftY: number;
  readonly scale: number;
  readonly shear: number;
  readonly brightness: number;
  readonly contrast: number;
}

/** Draw augmentation parameters from `rng`. */
function drawAugmentation(rng: Rng, o: AugmentOptions = STUDY_AUGMENTATION): AugmentParams {
  const sym = (m: number) => rng.uniform(-m, m);
  return {
    flip: rng.chance(o.flipProbability),
    rotation: (sym(o.maxRotationDegrees) * Math.PI) / 180,
    shiftX: sym(o.maxShift),
    shiftY: sym(o.maxShift),
    scale: 1 + sym(o.maxScaleChange),
    shear: (sym(o.maxShearDegrees) * Math.PI) / 180,
    brightness: 1 + sym(o.brightness),
    contrast: 1 + sym(o.contrast),
  };
}

/** Augment one image with freshly drawn parameters. */
export function augment(image: GreyImage, rng: Rng, options?: AugmentOptions): GreyImage {
  return augmentWith(image, drawAugmentation(rng, options));
}

/**
 * Apply given parameters: one affine warp (inverse mapping, bilinear, black outside) then the
 * intensity jitter, clamped to [0, 255].
 */
export function augmentWith(image: GreyImage, p: AugmentParams): GreyImage {
  const { side, data } = image;
  const c = (side - 1) / 2;
  // forward map about the centre: M = R(rotation) · Shear · Scale · Flip; invert it for sampling
  const cos = Math.cos(p.rotation), sin = Math.sin(p.rotation), tan = Math.tan(p.shear);
  const f = p.flip ? -1 : 1;
  const a = p.scale * f * cos, b = p.scale * (cos * tan - sin);
  const d = p.scale * f * sin, e = p.scale * (sin * tan + cos);
  const det = a * e - b * d;
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  const tx = p.shiftX * side, ty = p.shiftY * side;
  const out = new Uint8Array(side * side);
  let sum = 0;
  const warped = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const u = x - c - tx, v = y - c - ty;
      const sx = ia * u + ib * v + c, sy = id * u + ie * v + c;
      const value = bilinear(data, side, sx, sy);
      warped[y * side + x] = value;
      sum += value;
    }
  }
  const mean = sum / (side * side);
  for (let i = 0; i < warped.length; i++) {
    const v = ((warped[i] - mean) * p.contrast + mean) * p.brightness;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { side, data: out };
}

function bilinear(data: Uint8Array, side: number, x: number, y: number): number {
  if (x < -0.5 || y < -0.5 || x > side - 0.5 || y > side - 0.5) return 0;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const fx = x - x0, fy = y - y0;
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx >= side || yy >= side ? 0 : data[yy * side + xx];
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}
