/**
 * `deno task notebooks [--profile quick] [--out-dir DIR] [--force] [--timeout S] [--try-models]
 * [names…]`: execute the notebooks in order at a profile, re-executing only those whose code,
 * library, profile or data changed. Stops at the first failing cell, naming notebook, cell and
 * error.
 *
 * Executed notebooks of the published profile (`quick`, whose executed notebooks are committed)
 * replace those in notebooks/; any other profile's go to `out/<profile>/notebooks/`, never over
 * the committed ones (`--print-out-dir` prints where, for the main job to publish them).
 *
 * Afterwards it checks what the site's try page needs: the models chapter 3's results name.
 * When they are missing (trained weights are not in git, so a fresh clone whose notebooks are
 * all cached has none), it says so in one line with the command that makes them; with
 * `--try-models` it makes them, re-running the notebooks that train them.
 * @module
 */
import { parseArgs } from "node:util";
import { join, relative, resolve } from "node:path";
import { currentProfile, dataRoot, env, PROJECT_ROOT } from "../config.ts";
import { executeNotebooks, listNotebooks, type NotebookRun } from "./execute.ts";
import { defaultOutDir, PUBLISHED_PROFILE } from "./published.ts";
import { lastRunSeconds, producers, tryModels } from "./try_models.ts";

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      profile: { type: "string" },
      timeout: { type: "string" },
      "out-dir": { type: "string" },
      "print-out-dir": { type: "boolean" },
      "try-models": { type: "boolean" },
      force: { type: "boolean" },
    },
  });
  try {
    Deno.exit(await main(values, positionals));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}

async function main(
  values: {
    profile?: string;
    timeout?: string;
    "out-dir"?: string;
    "print-out-dir"?: boolean;
    "try-models"?: boolean;
    force?: boolean;
  },
  positionals: string[],
): Promise<number> {
  const profile = currentProfile(values.profile);
  const outDir = resolve(values["out-dir"] ?? defaultOutDir(profile.name));
  const sources = join(PROJECT_ROOT, "notebooks");
  if (profile.name !== PUBLISHED_PROFILE && outDir === sources) {
    throw new Error(
      `notebooks/ holds the executed notebooks of the published profile (${PUBLISHED_PROFILE}); ` +
        `those of "${profile.name}" go elsewhere (default ${defaultOutDir(profile.name)})`,
    );
  }
  if (values["print-out-dir"]) {
    console.log(outDir);
    return 0;
  }
  const all = await listNotebooks(sources);
  const chosen = positionals.length
    ? all.filter((p) => positionals.some((name) => p.includes(name)))
    : all;
  const timeout = Number(
    values.timeout ?? env("XRAY_CELL_TIMEOUT") ?? profile.cellTimeoutSeconds,
  );
  const shown = relative(PROJECT_ROOT, outDir) || ".";
  console.error(
    `Notebooks: ${chosen.length} at profile "${profile.name}", data root ${dataRoot()}, ` +
      `cell timeout ${timeout} s, executed copies in ${shown}/`,
  );
  const run = (notebooks: string[], force: boolean) =>
    executeNotebooks(notebooks, {
      profile: profile.name,
      cellTimeoutSeconds: timeout,
      outDir: outDir === sources ? undefined : outDir,
      force,
      env: { XRAY_DATA_DIR: dataRoot() },
      cache: {
        libDir: join(PROJECT_ROOT, "lib"),
        extraFiles: [join(PROJECT_ROOT, "deno.json"), join(PROJECT_ROOT, "deno.lock")],
        profile: profile.name,
        dataRoot: dataRoot(),
      },
      onRun: report,
    });
  await run(chosen, Boolean(values.force));
  // only when the whole set ran is the try page's state worth a word
  if (positionals.length) return 0;
  const needs = await tryModels(PROJECT_ROOT, profile.name);
  if (!needs) {
    console.error(`try page: chapter 3 has no results at profile "${profile.name}"`);
    return 0;
  }
  if (!needs.missing.length) return 0;
  const makers = producers(all, needs.resultsFile);
  const names = makers.map((p) => p.split("/").pop()!.replace(/\.ipynb$/, ""));
  const results = relative(PROJECT_ROOT, needs.resultsFile);
  const command = `${
    env("XRAY_COMMAND") ?? `deno task notebooks --profile ${profile.name}`
  } --try-models`;
  if (!values["try-models"]) {
    const present = needs.named.length - needs.missing.length;
    console.error(
      `try page: ${needs.missing.length} of the ${needs.named.length} models ${results} names ` +
        `are not here (trained weights are not in git), so it will show ` +
        `${present ? `only what the ${present} present allow` : "no model"}; ` +
        `\`${command}\` trains them (re-runs ${names[0]} to ${names.at(-1)}).`,
    );
    return 0;
  }
  const outputs = makers.map((p) => join(outDir, p.split("/").pop()!));
  const seconds = await lastRunSeconds(outputs);
  const last = seconds.length === makers.length
    ? `their last recorded runs took ${minutes(seconds.reduce((a, b) => a + b, 0))} here; ` +
      "training takes longer where no saved checkpoint is left to resume from"
    : "no earlier run of them is recorded here";
  console.error(
    `try page: ${needs.missing.length} of the ${needs.named.length} models ${results} names are ` +
      `missing. Re-running ${names.join(", ")} to train them (${last}).`,
  );
  await run(makers, true);
  const after = await tryModels(PROJECT_ROOT, profile.name);
  if (after?.missing.length) {
    throw new Error(
      `the notebooks ran but ${after.missing.length} model(s) ${results} names are still ` +
        `missing, e.g. ${after.missing[0]}`,
    );
  }
  return 0;
}

function report(run: NotebookRun) {
  console.error(
    `  ${run.source.split("/").pop()}: ${
      run.executed ? `executed in ${run.seconds.toFixed(1)} s (${run.reason})` : "cached"
    }`,
  );
}

function minutes(s: number): string {
  return s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`;
}
