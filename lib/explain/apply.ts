/**
 * Class activation maps of saved classifiers on decoded images, in the few calls a chapter
 * needs: the model input from grey images, maps and scores per batch, the share of each map on
 * the lungs.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GreyImage } from "../data/images.ts";
import { type ModelName, writeModelInput } from "../data/normalise.ts";
import { classActivationMaps, upsampleMaps } from "./cam.ts";
import { type LungMask, lungShare } from "./lungs.ts";

/** The model input [n, side, side, 3] of grey images, with the architecture's normalisation. */
export function modelInput(images: readonly GreyImage[], arch: ModelName): tf.Tensor4D {
  const side = images[0]?.side ?? 0;
  const pixels = side * side * 3;
  const x = new Float32Array(images.length * pixels);
  images.forEach((im, i) => writeModelInput(im, arch, x, i * pixels));
  return tf.tensor4d(x, [images.length, side, side, 3]);
}

/** CAMs of output `c` (upsampled, normalised as asked) and the scores, in batches of 8. */
export async function camsOf(
  model: tf.LayersModel,
  arch: ModelName,
  images: readonly GreyImage[],
  options: { output?: number; normalise?: "max" | "sum" } = {},
): Promise<{ heat: Float32Array[]; scores: number[] }> {
  const heat: Float32Array[] = [], scores: number[] = [];
  const c = options.output ?? 0;
  for (let i = 0; i < images.length; i += 8) {
    const chunk = images.slice(i, i + 8);
    const x = modelInput(chunk, arch);
    const maps = classActivationMaps(model, x, c);
    heat.push(...await upsampleMaps(maps, chunk[0].side, options.normalise ?? "max"));
    const out = tf.tidy(() => (model.predict(x) as tf.Tensor2D).slice([0, c], [-1, 1]));
    scores.push(...(await out.data() as Float32Array));
    tf.dispose([x, maps, out]);
  }
  return { heat, scores };
}

/** Each image's share of CAM mass inside its lung mask (NaN where the map is all zero). */
export async function lungSharesOf(
  model: tf.LayersModel,
  arch: ModelName,
  images: readonly GreyImage[],
  masks: readonly LungMask[],
): Promise<number[]> {
  const { heat } = await camsOf(model, arch, images, { normalise: "sum" });
  return heat.map((h, i) => lungShare(h, masks[i]).inside);
}

/** The outline of a mask (mask pixels with a non-mask neighbour), for drawing over a map. */
export function maskOutline(mask: LungMask): Uint8Array {
  const { side, data } = mask;
  const out = new Uint8Array(side * side);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (!data[r * side + c]) continue;
      const edge = [[-1, 0], [1, 0], [0, -1], [0, 1]].some(([dr, dc]) => {
        const rr = r + dr, cc = c + dc;
        return rr < 0 || cc < 0 || rr >= side || cc >= side || !data[rr * side + cc];
      });
      if (edge) out[r * side + c] = 1;
    }
  }
  return out;
}
