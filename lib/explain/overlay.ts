/**
 * Heatmaps over X-rays, as PNG: a colour map (jet, as in the study, or the perceptually uniform
 * viridis, which does not invent edges where the map is smooth) blended over the grey image,
 * and a captioned gallery for notebooks and the site.
 * @module
 */
import sharp from "sharp";
import type { GreyImage } from "../data/images.ts";
import { encodeBase64 } from "../viz/base64.ts";
import { escapeHtml } from "../viz/images.ts";

/** Colour maps. */
export type ColourMap = "jet" | "viridis";

// viridis at 9 evenly spaced stops (matplotlib's values), interpolated linearly
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** RGB (0–255) of value v ∈ [0, 1] under a colour map. */
export function colour(v: number, map: ColourMap): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  if (map === "jet") {
    const ch = (x: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - x))));
    return [ch(3), ch(2), ch(1)];
  }
  const pos = t * (VIRIDIS.length - 1), i = Math.min(Math.floor(pos), VIRIDIS.length - 2);
  const f = pos - i;
  return [0, 1, 2].map((k) => Math.round(VIRIDIS[i][k] * (1 - f) + VIRIDIS[i + 1][k] * f)) as [
    number,
    number,
    number,
  ];
}

/** PNG of `heat` (values in [0, 1], side×side) over a grey image, with the given opacity. */
export async function overlayPng(
  image: GreyImage,
  heat: Float32Array,
  options: { map?: ColourMap; opacity?: number; outline?: Uint8Array } = {},
): Promise<Uint8Array> {
  const { side, data } = image;
  if (heat.length !== side * side) {
    throw new Error(`heatmap has ${heat.length} values for ${side}×${side}`);
  }
  const a = options.opacity ?? 0.45;
  const rgb = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) {
    const c = colour(heat[i], options.map ?? "jet");
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.round((1 - a) * data[i] + a * c[k]);
    // an outline (e.g. the lung mask's edge) is drawn in white over the blend
    if (options.outline?.[i]) rgb.fill(255, i * 3, i * 3 + 3);
  }
  return new Uint8Array(
    await sharp(rgb, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer(),
  );
}

/** One tile of a CAM gallery. */
export interface CamTile {
  readonly image: GreyImage;
  readonly heat: Float32Array;
  readonly label: string;
  readonly score: number;
  readonly note?: string;
  /** Pixels drawn white over the map (e.g. the lung mask's outline). */
  readonly outline?: Uint8Array;
}

/** Rows of (image, CAM) tiles with label and score, as a self-contained HTML fragment. */
export async function camGalleryHtml(
  rows: readonly { title: string; tiles: readonly CamTile[] }[],
  options: { map?: ColourMap; tilePx?: number } = {},
): Promise<string> {
  const px = options.tilePx ?? 160;
  const parts = ['<div class="xray-grid">'];
  for (const row of rows) {
    parts.push(
      `<p><strong>${
        escapeHtml(row.title)
      }</strong></p><div style="display:flex;flex-wrap:wrap;gap:8px">`,
    );
    for (const t of row.tiles) {
      const png = await overlayPng(t.image, t.heat, { map: options.map, outline: t.outline });
      const caption = `${t.label} · score ${t.score.toFixed(2)}${t.note ? ` · ${t.note}` : ""}`;
      parts.push(
        `<figure style="margin:0;width:${px}px"><img src="data:image/png;base64,${
          encodeBase64(png)
        }" ` +
          `width="${px}" height="${px}" alt="${escapeHtml(`class activation map: ${caption}`)}">` +
          `<figcaption style="font-size:11px;line-height:1.2">${
            escapeHtml(caption)
          }</figcaption></figure>`,
      );
    }
    parts.push("</div>");
  }
  parts.push("</div>");
  return parts.join("");
}
