/**
 * Images for people: grey arrays to PNG, and captioned grids as HTML (PNG data URIs), which
 * both Jupyter and the site display without extra files.
 * @module
 */
import sharp from "sharp";
import { decodeGrey, type GreyImage } from "../data/images.ts";
import { encodeBase64 } from "../display/base64.ts";

/** Encode a grey image as PNG. */
async function greyToPng(image: GreyImage): Promise<Uint8Array> {
  const buffer = await sharp(image.data, {
    raw: { width: image.side, height: image.side, channels: 1 },
  }).png().toBuffer();
  return new Uint8Array(buffer);
}

/** One tile of a grid. */
export interface GridItem {
  readonly image: GreyImage;
  readonly caption: string;
  /** Alternative text for screen readers (default: the caption). */
  readonly alt?: string;
}

/** A titled row of tiles. */
export interface GridRow {
  readonly title: string;
  readonly items: readonly GridItem[];
}

/** Rows of captioned images as a self-contained HTML fragment. */
export async function imageGridHtml(rows: readonly GridRow[], tilePx = 128): Promise<string> {
  const parts: string[] = ['<div class="xray-grid">'];
  for (const row of rows) {
    parts.push(`<p><strong>${escapeHtml(row.title)}</strong></p>`);
    parts.push('<div style="display:flex;flex-wrap:wrap;gap:6px">');
    for (const item of row.items) {
      const src = `data:image/png;base64,${encodeBase64(await greyToPng(item.image))}`;
      parts.push(
        `<figure style="margin:0;width:${tilePx}px">` +
          `<img src="${src}" width="${tilePx}" height="${tilePx}" alt="${
            escapeHtml(item.alt ?? item.caption)
          }">` +
          `<figcaption style="font-size:11px;line-height:1.2;overflow-wrap:anywhere">${
            captionHtml(item.caption)
          }</figcaption></figure>`,
      );
    }
    parts.push("</div>");
  }
  parts.push("</div>");
  return parts.join("");
}

/**
 * A tile's caption as HTML: escaped, with a line-break opportunity after each "|" of a
 * multi-finding label ("Effusion|Infiltration|Pleural_Thickening"), which browsers do not
 * otherwise break, so a long label wraps inside its tile instead of running into the next.
 */
export function captionHtml(text: string): string {
  return escapeHtml(text).replaceAll("|", "|<wbr>");
}

/** Escape text for HTML content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/**
 * A gallery of a few evenly spaced records per row, decoded at `side`, captioned with their
 * finding: the quickest way to look at a class.
 */
export async function sampleGalleryHtml(
  rows: readonly { title: string; records: readonly { path: string; findingText: string }[] }[],
  side: number,
  perRow = 6,
): Promise<string> {
  const spaced = <T>(xs: readonly T[]) => {
    const step = Math.max(1, Math.floor(xs.length / perRow));
    return xs.filter((_, i) => i % step === 0).slice(0, perRow);
  };
  const grid: GridRow[] = [];
  for (const { title, records } of rows) {
    const items = await Promise.all(
      spaced(records).map(async (r) => ({
        image: await decodeGrey(r.path, side),
        caption: r.findingText || "No Finding",
      })),
    );
    grid.push({ title, items });
  }
  return imageGridHtml(grid);
}
