/**
 * Where an experiment's trained weights live, and what invalidates them. Every run has a
 * folder under `weights/<profile>/<run>/` (git-ignored): checkpoints, the best epoch's model.
 * A run's identity includes a hash of the code that trains it — the modules `trainArm` imports,
 * transitively, without comments or formatting — so changing how a model trains retrains it,
 * while editing a comment, a chart or a chapter's prose does not.
 * @module
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { codeHash, moduleClosure } from "../code_hash.ts";
import { currentProfile, type Profile, PROJECT_ROOT, weightsDir } from "../config.ts";
import type { XrayRecord } from "../data/record.ts";

/** Folder of a run's weights. */
export function runDir(run: string, profile: Profile = currentProfile()): string {
  return join(weightsDir(), profile.name, run);
}

let code: Promise<string> | undefined;

/**
 * Modules that only show progress or write records about a run (model cards, results files):
 * they cannot change a weight, so they are not part of a run's identity.
 */
const RECORD_KEEPING = ["../progress.ts", "../results.ts", "../models/card.ts"];

/** Hash of the training code (the module closure of `arm.ts`) and the package lock. */
export function codeVersion(): Promise<string> {
  code ??= (async () => {
    const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
    const files = await moduleClosure([here("./arm.ts")], RECORD_KEEPING.map(here));
    const hash = await codeHash(PROJECT_ROOT, files, [join(PROJECT_ROOT, "deno.lock")]);
    return hash.slice(0, 16);
  })();
  return code;
}

/** Hash of which images a split holds (so a different split never resumes a run). */
export function recordsHash(records: readonly XrayRecord[]): string {
  const hash = createHash("sha256");
  for (const r of records) hash.update(`${r.source}/${r.imageId}\n`);
  return hash.digest("hex").slice(0, 16);
}
