/**
 * Where the lungs are, and how much of a CAM falls on them. Lung masks come from the COVID-19
 * collection's annotations (V7 Labs masks, else lungVAE masks, else the two lung boxes), resized
 * to the model's side. The score is the share of the map's mass inside the lungs, to be read
 * against the lungs' share of the image (what a map spread evenly would get).
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { datasetDir } from "../config.ts";
import type { CovidRecord } from "../data/records.ts";

/** A lung mask at one side (1 = lung), and where it came from. */
export interface LungMask {
  readonly side: number;
  readonly data: Uint8Array;
  readonly source: "v7labs" | "lungVAE" | "boxes";
}

let boxes: Promise<Map<string, { width: number; height: number; boxes: number[][] }>> | undefined;

/** The lung mask of a COVID-19 collection image, or undefined when none is annotated. */
export async function lungMask(record: CovidRecord, side: number): Promise<LungMask | undefined> {
  const dir = join(datasetDir("covid"), "annotations");
  const stem = record.imageId.replace(/\.[^.]+$/, "");
  for (
    const [source, file] of [
      // V7 Labs masks are PNGs named exactly as the image, extension included
      ["v7labs", join(dir, "v7labs-lung-masks", record.imageId)],
      ["lungVAE", join(dir, "lungVAE-masks", `${stem}_mask.png`)],
    ] as const
  ) {
    try {
      const { data } = await sharp(await Deno.readFile(file))
        .greyscale()
        .resize(side, side, { fit: "fill" })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { side, source, data: Uint8Array.from(data, (v) => (v > 127 ? 1 : 0)) };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw new Error(`${file}: ${(e as Error).message}`);
    }
  }
  const entry = (await lungBoxes(dir)).get(record.imageId);
  if (!entry) return undefined;
  // boxes are in the original image's frame; the image is stretched to side×side
  const data = new Uint8Array(side * side);
  for (const [x, y, w, h] of entry.boxes) {
    const x0 = Math.floor((x / entry.width) * side), x1 = Math.ceil(((x + w) / entry.width) * side);
    const y0 = Math.floor((y / entry.height) * side),
      y1 = Math.ceil(((y + h) / entry.height) * side);
    for (let r = Math.max(0, y0); r < Math.min(side, y1); r++) {
      for (let c = Math.max(0, x0); c < Math.min(side, x1); c++) data[r * side + c] = 1;
    }
  }
  return { side, source: "boxes", data };
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

function lungBoxes(dir: string) {
  boxes ??= (async () => {
    const file = join(dir, "imageannotation_ai_lung_bounding_boxes.json");
    const json = JSON.parse(await Deno.readTextFile(file)) as {
      images: { id: number; file_name: string; width: number; height: number }[];
      annotations: { image_id: number; bbox: number[] }[];
    };
    const byId = new Map(json.images.map((i) => [i.id, i]));
    const out = new Map<string, { width: number; height: number; boxes: number[][] }>();
    for (const a of json.annotations) {
      const image = byId.get(a.image_id);
      if (!image) continue;
      const entry = out.get(image.file_name) ??
        { width: image.width, height: image.height, boxes: [] };
      entry.boxes.push(a.bbox);
      out.set(image.file_name, entry);
    }
    return out;
  })();
  return boxes;
}
