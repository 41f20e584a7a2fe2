/** Shared test helpers. @module */
import { dataRoot } from "../lib/config.ts";

/** The real data root the tests read (CI sets XRAY_DATA_DIR=../shared/data). */
export const DATA_ROOT: string = dataRoot();

/** A fresh temporary folder, removed when the returned object is disposed. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "xray-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/**
 * `load` run on the first call only, later calls sharing its promise: how a test file reads the
 * real data root when a test that needs it runs, not when the file loads.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
