/**
 * Test fixtures made on the fly: PNGs of every colour type and bit depth (encoded by hand, so
 * the decoder is tested against bytes it did not write), and broken files of every kind.
 * @module
 */
import { deflateSync } from "node:zlib";
import { join } from "node:path";
import sharp from "sharp";
import { type ModelCard, PREPROCESSING } from "../lib/models/card.ts";

/** PNG colour types. */
export type PngColour = "grey" | "rgb" | "palette" | "grey-alpha" | "rgba";
const COLOUR_TYPE: Record<PngColour, number> = {
  grey: 0,
  rgb: 2,
  palette: 3,
  "grey-alpha": 4,
  rgba: 6,
};
const CHANNELS: Record<PngColour, number> = {
  grey: 1,
  rgb: 3,
  palette: 1,
  "grey-alpha": 2,
  rgba: 4,
};

/**
 * Encode a PNG whose grey level is `grey(x, y)` in [0, 1], in the given colour type and depth.
 * Palette images use a 256-entry grey palette.
 */
export function encodePng(
  width: number,
  height: number,
  colour: PngColour,
  bitDepth: 8 | 16,
  grey: (x: number, y: number) => number,
): Uint8Array {
  if (colour === "palette" && bitDepth !== 8) throw new Error("palette PNGs here are 8-bit");
  const channels = CHANNELS[colour];
  const bytesPerSample = bitDepth / 8;
  const stride = 1 + width * channels * bytesPerSample;
  const raw = new Uint8Array(stride * height);
  const max = bitDepth === 16 ? 65535 : 255;
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const level = Math.round(Math.min(1, Math.max(0, grey(x, y))) * max);
      for (let c = 0; c < channels; c++) {
        const isAlpha = (colour === "grey-alpha" && c === 1) || (colour === "rgba" && c === 3);
        const v = isAlpha ? max : colour === "palette" ? Math.round(level) : level;
        const o = y * stride + 1 + (x * channels + c) * bytesPerSample;
        if (bytesPerSample === 2) {
          raw[o] = v >> 8;
          raw[o + 1] = v & 0xff;
        } else raw[o] = v;
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([bitDepth, COLOUR_TYPE[colour], 0, 0, 0], 8);
  const chunks = [chunk("IHDR", ihdr)];
  if (colour === "palette") {
    const plte = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) plte.set([i, i, i], i * 3);
    chunks.push(chunk("PLTE", plte));
  }
  chunks.push(chunk("IDAT", new Uint8Array(deflateSync(raw))), chunk("IEND", new Uint8Array()));
  return concat([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

/** A horizontal ramp: dark on the left, bright on the right. */
export const ramp = (width: number) => (x: number) => x / (width - 1);

/** A JPEG of a ramp, optionally with an EXIF orientation tag. */
export async function encodeJpeg(
  width: number,
  height: number,
  options: { orientation?: number; colour?: boolean } = {},
): Promise<Uint8Array> {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.round((x / (width - 1)) * 255);
      pixels.set(options.colour ? [v, 255 - v, 128] : [v, v, v], (y * width + x) * 3);
    }
  }
  let img = sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 });
  if (options.orientation) img = img.withMetadata({ orientation: options.orientation });
  return new Uint8Array(await img.toBuffer());
}

/** Write the broken files a loader must survive into `dir`; returns their paths by kind. */
export async function writeBrokenImages(dir: string): Promise<Record<string, string>> {
  const jpeg = await encodeJpeg(64, 64);
  const files: Record<string, Uint8Array> = {
    "empty.png": new Uint8Array(),
    "truncated.jpg": jpeg.slice(0, Math.floor(jpeg.length / 2)),
    "text.png": new TextEncoder().encode("this is not an image, just text\n"),
    "image.gif": new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0, 0x3b]),
    "corrupt.png": encodePng(8, 8, "grey", 8, () => 0.5).map((b, i) => (i > 40 ? b ^ 0x5a : b)),
  };
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await Deno.writeFile(paths[name], bytes);
  }
  return paths;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The card of an untrained fixture model (DenseNet121 unless `fields` say otherwise): what a
 * test writes beside a model it saved, so the project's loaders accept the folder.
 */
export function fixtureCard(fields: Partial<ModelCard> & { side: number }): ModelCard {
  return {
    card: "xray-transfer/model-card@1",
    name: "fixture",
    arch: "densenet121",
    preprocessing: PREPROCESSING[fields.arch ?? "densenet121"],
    classes: ["COVID-19"],
    init: "scratch",
    data: {
      dataset: "none",
      split: "none",
      train: { images: 0, patients: 0, hash: "" },
      validation: { images: 0, patients: 0, hash: "" },
    },
    trainedOn: [],
    profile: "smoke",
    seed: 0,
    backend: "test",
    training: { epochs: 0, bestEpoch: -1, updates: 0 },
    createdAt: new Date().toISOString(),
    ...fields,
  };
}
