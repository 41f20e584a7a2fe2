/**
 * Checks a file must pass before it takes its final name, or before a file already there is
 * used: its pin (SHA-256 or git blob id, and size where known), or for what has no pin, its
 * format (a gzip stream that ends where it should, an image that decodes whole).
 * @module
 */
import { createHash } from "node:crypto";
import { extname } from "node:path";
import sharp from "sharp";

/** A file's expected content: SHA-256, or (where only that is known) its git blob id. */
export interface Pin {
  readonly sha256?: string;
  readonly gitBlob?: string;
  readonly bytes?: number;
}

/** A file's size and hashes, read in one pass. */
export interface FileHashes {
  readonly bytes: number;
  readonly sha256: string;
  /** SHA-1 of "blob <size>\0" + content: git's object id (only when asked for). */
  readonly gitBlob?: string;
}

/** Hash a file once, streamed (multi-GB archives need no memory). */
export async function hashFile(path: string, withGitBlob = false): Promise<FileHashes> {
  const { size } = await Deno.stat(path);
  const sha256 = createHash("sha256");
  const sha1 = withGitBlob ? createHash("sha1").update(`blob ${size}\0`) : undefined;
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) { // closes the file at the end
    sha256.update(chunk);
    sha1?.update(chunk);
  }
  return { bytes: size, sha256: sha256.digest("hex"), gitBlob: sha1?.digest("hex") };
}

/** SHA-256 (hex) of a file. */
export async function sha256File(path: string): Promise<string> {
  return (await hashFile(path)).sha256;
}

/** The git blob id of a file: SHA-1 of "blob <size>\0" followed by its bytes. */
export async function gitBlobId(path: string): Promise<string> {
  return (await hashFile(path, true)).gitBlob!;
}

/** How a file compares with its pin. */
export interface PinCheck {
  readonly ok: boolean;
  /** The file's SHA-256 (what a ledger records), whatever the pin. */
  readonly sha256: string;
  readonly bytes: number;
  /** When not ok: what differs, what was expected, what the file has. */
  readonly what?: "size" | "SHA-256" | "git blob id";
  readonly expected?: string;
  readonly actual?: string;
  /** When not ok, in words: "git blob id 1c6c…, expected 12c8…". */
  readonly problem?: string;
}

/** Compare a file with its pin: size first (when pinned), then SHA-256 or git blob id. */
export async function checkPin(path: string, pin: Pin): Promise<PinCheck> {
  const h = await hashFile(path, pin.gitBlob !== undefined && pin.sha256 === undefined);
  const base = { sha256: h.sha256, bytes: h.bytes };
  const differs = (what: PinCheck["what"], expected: string, actual: string): PinCheck => ({
    ...base,
    ok: false,
    what,
    expected,
    actual,
    problem: `${what} ${actual}, expected ${expected}`,
  });
  if (pin.bytes !== undefined && h.bytes !== pin.bytes) {
    return differs("size", `${pin.bytes} bytes`, `${h.bytes} bytes`);
  }
  if (pin.sha256 !== undefined) {
    return h.sha256 === pin.sha256
      ? { ...base, ok: true }
      : differs("SHA-256", pin.sha256, h.sha256);
  }
  if (pin.gitBlob !== undefined && h.gitBlob !== pin.gitBlob) {
    return differs("git blob id", pin.gitBlob, h.gitBlob!);
  }
  return { ...base, ok: true };
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);

/** Whether a file name is one of the image formats the datasets hold. */
export function isImageName(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

/**
 * Whether an image decodes whole (a truncated or garbage file does not); undefined when it
 * does, else the decoder's complaint.
 */
export async function imageProblem(path: string): Promise<string | undefined> {
  try {
    // failOn "warning": a JPEG or PNG cut short only warns by default, and must fail here
    await sharp(path, { failOn: "warning" }).raw().toBuffer();
    return undefined;
  } catch (e) {
    return `does not decode as an image (${(e as Error).message.split("\n")[0]})`;
  }
}

/**
 * Decompress a gzip file into `out`. Throws when the stream is not gzip or ends early (the
 * gzip trailer's CRC and length are checked by the decompressor).
 */
export async function gunzipInto(gz: string, out: string): Promise<void> {
  const input = await Deno.open(gz, { read: true });
  const output = await Deno.open(out, { write: true, create: true, truncate: true });
  try {
    await input.readable.pipeThrough(new DecompressionStream("gzip")).pipeTo(output.writable);
  } catch (e) {
    throw new Error(`not a complete gzip file (${(e as Error).message.split("\n")[0]})`);
  }
}
