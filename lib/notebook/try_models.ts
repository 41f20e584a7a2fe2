/**
 * What the site's "Try the model" page needs that the notebooks' execution cache cannot see:
 * the saved models chapter 3's results name. Trained weights are not in git, so on a fresh clone
 * whose data matches the committed notebooks every notebook is cached and no model exists. This
 * module finds the models the results file names — in either shape an arm may have,
 * `splits: [{split, model?}]` or `folds: [{fold, repeat, model?}]`, each `model` a folder
 * (relative to the project root) holding model.json and card.json — which of them are missing,
 * and which notebooks make them.
 * @module
 */
import { basename, join } from "node:path";
import type { ProfileName } from "../config.ts";
import { readStamp } from "./cache.ts";

/** The results file of the chapter whose models the try page shows, by profile. */
function tryResultsFile(root: string, profile: ProfileName): string {
  return join(root, "results", profile, "covid-transfer.json");
}

/** Every model folder a chapter-3 results file names, in order, without repeats. */
export function modelsNamed(results: unknown): string[] {
  const arms = (results as { arms?: unknown })?.arms;
  if (!Array.isArray(arms)) return [];
  const out = new Set<string>();
  for (const arm of arms) {
    for (const runs of [arm?.splits, arm?.folds]) {
      if (!Array.isArray(runs)) continue;
      for (const run of runs) if (typeof run?.model === "string") out.add(run.model);
    }
  }
  return [...out];
}

/** What the try page needs and what of it is here. */
export interface TryModels {
  readonly resultsFile: string;
  /** Model folders the results name (relative to the project root). */
  readonly named: readonly string[];
  /** Those lacking model.json or card.json. */
  readonly missing: readonly string[];
}

/** The try page's models at a profile; undefined when chapter 3 has no results there. */
export async function tryModels(
  root: string,
  profile: ProfileName,
): Promise<TryModels | undefined> {
  const resultsFile = tryResultsFile(root, profile);
  let results: unknown;
  try {
    results = JSON.parse(await Deno.readTextFile(resultsFile));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`${resultsFile}: ${(e as Error).message}`);
  }
  const named = modelsNamed(results);
  const missing: string[] = [];
  for (const model of named) {
    for (const file of ["model.json", "card.json"]) {
      try {
        await Deno.stat(join(root, model, file));
      } catch {
        missing.push(model);
        break;
      }
    }
  }
  return { resultsFile, named, missing };
}

/**
 * The notebooks that make a results file's models: the one named after it (`03-covid-transfer`
 * writes `covid-transfer.json`) and every notebook before it, since a chapter starts from what
 * earlier chapters trained (chapter 3 fine-tunes chapter 2's backbones).
 */
export function producers(notebooks: readonly string[], resultsFile: string): string[] {
  const stem = basename(resultsFile, ".json");
  const at = notebooks.findIndex((n) => basename(n, ".ipynb").replace(/^\d+-/, "") === stem);
  return at < 0 ? [] : notebooks.slice(0, at + 1);
}

/** Seconds of each notebook's last recorded run (from its execution stamp), where recorded. */
export async function lastRunSeconds(executed: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const path of executed) {
    const stamp = await readStamp(path);
    if (stamp) out.push(stamp.seconds);
  }
  return out;
}
