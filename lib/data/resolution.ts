/**
 * Stored image size as a property of the data. Images are never enlarged into training or
 * evaluation: a 64×64 thumbnail shown to a network at 128 px carries no detail at that scale,
 * and in the ChestX-ray14 sample here the stored size also goes with the label (half of the
 * 64 px images have no finding, a fifth of the 256 px ones), so a network fed both could learn
 * the resolution instead of the disease.
 * @module
 */
import { imageInfo } from "./images.ts";
import type { XrayRecord } from "./record.ts";

/** Records split by whether their stored image is at least `side` px on its shorter side. */
export async function keepStoredAtLeast<R extends XrayRecord>(
  records: readonly R[],
  side: number,
): Promise<{ kept: R[]; smaller: R[] }> {
  const kept: R[] = [], smaller: R[] = [];
  for (const r of records) {
    const info = await imageInfo(r.path);
    (Math.min(info.width, info.height) >= side ? kept : smaller).push(r);
  }
  return { kept, smaller };
}
