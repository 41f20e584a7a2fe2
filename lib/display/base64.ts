/** Base64 for binary payloads (PNG data URIs, Jupyter image outputs). @module */
import { Buffer } from "node:buffer";

/** Encode bytes as base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
