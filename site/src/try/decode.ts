/// <reference lib="dom" />
/**
 * From a file the reader chose to RGBA pixels, in the browser — or a sentence saying why not.
 * The header is read first, so that an empty file, a non-image or an image too large to decode
 * safely (e.g. 8000×8000: 256 MB of pixels) is refused before the browser tries.
 * @module
 */
import type { Rgba } from "../../../lib/data/preprocess.ts";

/** Longest side this page decodes; larger images are refused with a message. */
export const MAX_SIDE = 4096;

/** A file the page cannot use, with a message for the reader. */
export class InputError extends Error {}

/** Format and size from the first bytes of a JPEG or PNG, or undefined for anything else. */
export function readHeader(
  bytes: Uint8Array,
): { format: "png" | "jpeg"; width: number; height: number; bitDepth: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 25 && png.every((b, i) => bytes[i] === b)) {
    return {
      format: "png",
      width: view.getUint32(16),
      height: view.getUint32(20),
      bitDepth: bytes[24],
    };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  // JPEG: walk the segments to the first start-of-frame marker (SOF0–SOF15, not DHT/JPG/DAC)
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return {
        format: "jpeg",
        bitDepth: bytes[at + 4],
        height: view.getUint16(at + 5),
        width: view.getUint16(at + 7),
      };
    }
    at += 2 + length;
  }
  return { format: "jpeg", width: 0, height: 0, bitDepth: 8 };
}

/** Decode a chosen file to RGBA at its stored size (EXIF orientation applied, as the library does). */
export async function decodeFile(file: Blob & { name?: string }): Promise<Rgba> {
  const name = file.name ?? "the image";
  if (file.size === 0) throw new InputError(`${name} is empty (0 bytes).`);
  const head = new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer());
  const header = readHeader(head);
  if (!header) {
    throw new InputError(
      `${name} is not a JPEG or PNG image; choose a chest X-ray in one of those formats.`,
    );
  }
  if (Math.max(header.width, header.height) > MAX_SIDE) {
    throw new InputError(
      `${name} is ${header.width}×${header.height} pixels; this page decodes images up to ` +
        `${MAX_SIDE} pixels per side. Make a smaller copy first — the model sees far fewer pixels anyway.`,
    );
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
  } catch {
    throw new InputError(
      `${name} could not be decoded: the ${header.format.toUpperCase()} data is damaged or incomplete.`,
    );
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context) throw new InputError("This browser cannot read pixels from a canvas.");
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
