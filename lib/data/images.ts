/**
 * Image decoding for X-rays: any JPEG or PNG (8/16-bit, grey, RGB, RGBA, palette, EXIF
 * orientation) becomes one grey channel at the model's side, then the model's own input.
 * @module
 */
import sharp from "sharp";
import { dataRoot } from "../config.ts";
import { isInside } from "./_files.ts";
import { resizeGrey, type Rgba, rgbaToGrey } from "./preprocess.ts";

/** A square grey image, one byte per pixel, row-major. */
export interface GreyImage {
  readonly side: number;
  readonly data: Uint8Array;
}

/** Raised for a file that cannot be used as an image; names the file and the problem. */
export class ImageError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = "ImageError";
  }
}

/** Image formats recognised by their first bytes. */
export type SniffedFormat = "jpeg" | "png" | "gif" | "bmp" | "tiff" | "webp" | "dicom" | "unknown";

/** Recognise an image format from its magic bytes (never trust the file extension). */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "gif";
  if (starts(0x42, 0x4d)) return "bmp";
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return "tiff";
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.slice(8, 12)) === "WEBP") {
    return "webp";
  }
  if (String.fromCharCode(...bytes.slice(128, 132)) === "DICM") return "dicom";
  return "unknown";
}

/** Width and height as stored, plus format and channels, without decoding pixels. */
export interface ImageInfo {
  readonly file: string;
  readonly format: "jpeg" | "png";
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly bitDepth: number;
}

/** Read an image header (size, channels) after checking the file is a JPEG or PNG. */
export async function imageInfo(file: string): Promise<ImageInfo> {
  const bytes = await readImageBytes(file);
  const format = checkFormat(file, bytes);
  try {
    const meta = await sharp(bytes).metadata();
    // EXIF orientations 5–8 swap width and height once applied
    const swap = (meta.orientation ?? 1) >= 5;
    return {
      file,
      format,
      width: swap ? meta.height! : meta.width!,
      height: swap ? meta.width! : meta.height!,
      channels: meta.channels ?? 0,
      bitDepth: meta.depth === "ushort" ? 16 : 8,
    };
  } catch (e) {
    throw new ImageError(file, `cannot read the ${format.toUpperCase()} header (${reason(e)})`);
  }
}

/**
 * Decode to grey and resize to `side`×`side` (stretching, as the study's 224×224 resize did).
 * sharp decodes (any JPEG or PNG, 8 or 16 bit, EXIF orientation applied) to RGBA at full size;
 * grey conversion and resizing are then `preprocess.ts`'s, the same code the report's
 * in-browser page runs on the browser's decoding of the same file.
 * @throws ImageError naming the file for an empty, truncated, corrupt or unsupported file.
 */
export async function decodeGrey(file: string, side: number): Promise<GreyImage> {
  const rgba = await decodeRgba(file);
  return { side, data: resizeGrey(rgbaToGrey(rgba), rgba.width, rgba.height, side) };
}

/** Decode to RGBA at the stored size, EXIF orientation applied. @throws ImageError */
export async function decodeRgba(file: string): Promise<Rgba> {
  const bytes = await readImageBytes(file);
  const format = checkFormat(file, bytes);
  try {
    const { data, info } = await sharp(bytes, { failOn: "truncated", limitInputPixels: false })
      .rotate() // apply EXIF orientation
      .toColourspace("srgb")
      .ensureAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || data.length !== info.width * info.height * 4) {
      throw new Error(`decoder returned ${info.channels} channels, ${data.length} bytes`);
    }
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return { width: info.width, height: info.height, data: pixels };
  } catch (e) {
    throw new ImageError(file, `cannot decode the ${format.toUpperCase()} image (${reason(e)})`);
  }
}

/** An RGB image, three bytes per pixel, row-major (for natural photos, e.g. ImageNet checks). */
export interface RgbImage {
  readonly side: number;
  readonly data: Uint8Array;
}

/** Decode to RGB and resize to `side`×`side` (alpha composited on black, EXIF applied). */
export async function decodeRgb(file: string, side: number): Promise<RgbImage> {
  const bytes = await readImageBytes(file);
  const format = checkFormat(file, bytes);
  try {
    const { data } = await sharp(bytes, { failOn: "truncated" })
      .rotate()
      .flatten({ background: "#000000" })
      .toColourspace("srgb")
      .resize(side, side, { fit: "fill", kernel: "lanczos3" })
      .removeAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (data.length !== side * side * 3) throw new Error(`decoder returned ${data.length} bytes`);
    return { side, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    throw new ImageError(file, `cannot decode the ${format.toUpperCase()} image (${reason(e)})`);
  }
}

async function readImageBytes(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ImageError(file, "file not found");
    throw new ImageError(file, `cannot read the file (${reason(e)})`);
  }
  if (bytes.length === 0) throw new ImageError(file, "the file is empty (0 bytes)");
  return bytes;
}

function checkFormat(file: string, bytes: Uint8Array): "jpeg" | "png" {
  const format = sniffFormat(bytes);
  if (format === "jpeg" || format === "png") return format;
  // the first bytes help with a wrong download, but are shown only for files of the data root:
  // an error message must not print the start of any file a path happened to name
  const start = isInside(file, dataRoot()) ? ` (starts with ${describeStart(bytes)})` : "";
  const what = format === "unknown"
    ? `not an image${start}`
    : `unsupported format ${format.toUpperCase()}`;
  throw new ImageError(file, `${what}; expected a JPEG or PNG file`);
}

function describeStart(bytes: Uint8Array): string {
  const head = bytes.slice(0, 12);
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  return printable
    ? `text "${new TextDecoder().decode(head)}…"`
    : `bytes ${[...head].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`;
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();
}
