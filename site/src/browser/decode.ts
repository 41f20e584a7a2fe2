/// <reference lib="dom" />
/**
 * From a file the reader chose to RGBA pixels, in the browser — or a sentence saying why not.
 * The size is read from the file's own header before anything is decoded, and the reader fails
 * closed: a JPEG whose frame header cannot be found (damaged, or hidden behind a huge block of
 * metadata that the walk skips without reading) is refused, never decoded to find out. The
 * decoded bitmap is checked again against the same limits, so a header that lies gains nothing.
 * @module
 */
import type { Rgba } from "../../../lib/data/preprocess.ts";

/** Longest side this page decodes; larger images are refused with a message. */
export const MAX_SIDE = 4096;
/** Shortest side this page accepts: below it there is no chest X-ray left to read. */
export const MIN_SIDE = 32;

/** A file the page cannot use, with a message for the reader. */
export class InputError extends Error {}

/** What a header says about an image. */
export interface ImageHeader {
  readonly format: "png" | "jpeg";
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Segments walked before giving up: real files have a dozen; a file with thousands is refused.
const MAX_SEGMENTS = 2000;
// Read in chunks: most JPEGs have their frame header in the first few kilobytes.
const CHUNK = 64 * 1024;

/** The format by its first bytes: PNG, JPEG or neither. */
export function sniffImage(bytes: Uint8Array): "png" | "jpeg" | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  return undefined;
}

/**
 * The size of a PNG (from IHDR) or JPEG (from its first start-of-frame segment), reading only
 * what it needs through `read`; undefined when the header cannot be found — the caller refuses
 * such a file rather than decode it to learn its size.
 */
export async function readHeader(
  read: ByteReader,
  fileSize: number,
): Promise<ImageHeader | undefined> {
  const head = await read(0, Math.min(fileSize, CHUNK));
  const format = sniffImage(head);
  if (format === "png") {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    // IHDR must be the first chunk: length 13, type "IHDR"
    const ihdr = head.length >= 29 && view.getUint32(8) === 13 &&
      String.fromCharCode(...head.subarray(12, 16)) === "IHDR";
    if (!ihdr) return undefined;
    return { format, width: view.getUint32(16), height: view.getUint32(20), bitDepth: head[24] };
  }
  if (format !== "jpeg") return undefined;
  // JPEG: walk the segments to the first start-of-frame marker (SOF0–SOF15 but DHT, JPG, DAC)
  let chunk = head, chunkAt = 0;
  const bytesAt = async (at: number, n: number): Promise<Uint8Array | undefined> => {
    if (at + n > fileSize) return undefined;
    if (at < chunkAt || at + n > chunkAt + chunk.length) {
      // past the first chunk the walk jumps from segment to segment: read a little each time
      chunk = await read(at, Math.max(n, Math.min(512, fileSize - at)));
      chunkAt = at;
    }
    return chunk.subarray(at - chunkAt, at - chunkAt + n);
  };
  let at = 2;
  for (let segments = 0; segments < MAX_SEGMENTS; segments++) {
    const marker = await bytesAt(at, 2);
    if (!marker || marker[0] !== 0xff) return undefined;
    const code = marker[1];
    if (code === 0xff) { // fill byte
      at++;
      continue;
    }
    // markers without a length: TEM and RSTn; SOI again is malformed
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      at += 2;
      continue;
    }
    // image data or the end before any frame header: no size to trust
    if (code === 0xd8 || code === 0xd9 || code === 0xda) return undefined;
    const segment = await bytesAt(at + 2, 2);
    if (!segment) return undefined;
    const length = (segment[0] << 8) | segment[1];
    if (length < 2) return undefined;
    if (code >= 0xc0 && code <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(code)) {
      const frame = await bytesAt(at + 4, 5);
      if (!frame) return undefined;
      return {
        format,
        bitDepth: frame[0],
        height: (frame[1] << 8) | frame[2],
        width: (frame[3] << 8) | frame[4],
      };
    }
    at += 2 + length;
  }
  return undefined;
}

/** A {@link ByteReader} over a file the reader chose. */
export function blobReader(file: Blob): ByteReader {
  return async (offset, length) =>
    new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
}

/** Why an image of this size is refused, or undefined when it may be decoded. */
export function sizeProblem(name: string, width: number, height: number): string | undefined {
  if (Math.max(width, height) > MAX_SIDE) {
    return `${name} is ${width}×${height} pixels; this page decodes images up to ${MAX_SIDE} ` +
      "pixels per side. Make a smaller copy first — the model sees far fewer pixels anyway.";
  }
  if (Math.min(width, height) < MIN_SIDE) {
    return `${name} is ${width}×${height} pixels: too small to hold a chest X-ray. ` +
      `This page needs at least ${MIN_SIDE} pixels per side.`;
  }
  return undefined;
}

/**
 * Decode a chosen file to RGBA at its stored size (EXIF orientation applied, as the library
 * does), after checking its header; throws {@link InputError} with a message for the reader.
 */
export async function decodeFile(file: Blob & { name?: string }): Promise<Rgba> {
  const name = file.name ?? "the image";
  if (file.size === 0) throw new InputError(`${name} is empty (0 bytes).`);
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const format = sniffImage(head);
  if (!format) {
    throw new InputError(
      `${name} is not a JPEG or PNG image; choose a chest X-ray in one of those formats.`,
    );
  }
  const header = await readHeader(blobReader(file), file.size);
  if (!header) {
    throw new InputError(
      `${name} looks like a ${format.toUpperCase()} file, but its size cannot be read from its ` +
        "header: the file is damaged or not a complete image, so it is not decoded.",
    );
  }
  const refused = sizeProblem(name, header.width, header.height);
  if (refused) throw new InputError(refused);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, {
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
  } catch {
    throw new InputError(
      `${name} could not be decoded: the ${format.toUpperCase()} data is damaged or incomplete.`,
    );
  }
  try {
    // what was decoded is held to the same limits (EXIF rotation may swap the sides)
    const decoded = sizeProblem(name, bitmap.width, bitmap.height);
    if (decoded) throw new InputError(decoded);
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
