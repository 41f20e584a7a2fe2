/**
 * Where an experiment's trained weights live, and what invalidates them. Every run has a
 * folder under `weights/<profile>/<run>/` (git-ignored): checkpoints, the best epoch's model.
 * A run's configuration includes a hash of the library's source, so changing the code retrains
 * instead of silently reusing weights made by other code.
 * @module
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import { currentProfile, type Profile, PROJECT_ROOT } from "../config.ts";
import { sourceHash } from "../notebook/cache.ts";
import type { XrayRecord } from "../data/records.ts";

/** Folder of a run's weights. */
export function runDir(run: string, profile: Profile = currentProfile()): string {
  return join(PROJECT_ROOT, "weights", profile.name, run);
}

let code: Promise<string> | undefined;

/** Hash of the library source (lib/**.ts, deno.json, deno.lock). */
export function codeVersion(): Promise<string> {
  code ??= sourceHash(join(PROJECT_ROOT, "lib"), [
    join(PROJECT_ROOT, "deno.json"),
    join(PROJECT_ROOT, "deno.lock"),
  ]).then((h) => h.slice(0, 16));
  return code;
}

/** Hash of which images a split holds (so a different split never resumes a run). */
export function recordsHash(records: readonly XrayRecord[]): string {
  const hash = createHash("sha256");
  for (const r of records) hash.update(`${r.source}/${r.imageId}\n`);
  return hash.digest("hex").slice(0, 16);
}
