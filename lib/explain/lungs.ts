/**
 * How much of a CAM falls on the lungs. Lung masks come from each dataset's annotations (the
 * COVID-19 collection: V7 Labs masks, else lungVAE masks, else the two lung boxes), resized to
 * the model's side. The score is the share of the map's mass inside the lungs, to be read
 * against the lungs' share of the image (what a map spread evenly would get).
 * @module
 */
import { dataset, datasetDir } from "../data/datasets/mod.ts";
import type { LungMask } from "../data/lung_mask.ts";
import type { XrayRecord } from "../data/record.ts";

export type { LungMask };

/** A record's lung mask at a side, from its dataset's annotations (undefined: none). */
export function lungMask(record: XrayRecord, side: number): Promise<LungMask | undefined> {
  const source = dataset(record.source);
  return source.lungMask
    ? source.lungMask(record, side, datasetDir(record.source))
    : Promise.resolve(undefined);
}

/** Share of a (rectified) map's mass inside the mask; the mask's share of the image. */
export function lungShare(heat: Float32Array, mask: LungMask): { inside: number; area: number } {
  let inLung = 0, total = 0, area = 0;
  for (let i = 0; i < heat.length; i++) {
    total += heat[i];
    if (mask.data[i]) {
      inLung += heat[i];
      area++;
    }
  }
  return { inside: total > 0 ? inLung / total : NaN, area: area / heat.length };
}
