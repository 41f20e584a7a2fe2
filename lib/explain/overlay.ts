/**
 * Heatmaps over X-rays, as PNG: a colour map (see `colour.ts`) blended over the grey image, and
 * a captioned gallery for notebooks and the site.
 * @module
 */
import sharp from "sharp";
import type { GreyImage } from "../data/images.ts";
import { encodeBase64 } from "../display/base64.ts";
import { captionHtml, escapeHtml } from "../viz/images.ts";
import { blendHeatmap, type ColourMap } from "./colour.ts";

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
  const rgb = blendHeatmap(data, heat, options);
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
          // a long label wraps inside its tile, never into the next one
          `<figcaption style="font-size:11px;line-height:1.2;overflow-wrap:anywhere">${
            captionHtml(caption)
          }</figcaption></figure>`,
      );
    }
    parts.push("</div>");
  }
  parts.push("</div>");
  return parts.join("");
}
