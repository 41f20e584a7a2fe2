/**
 * `deno task notebooks [--profile quick] [--out-dir DIR] [--force] [--timeout S] [names…]`:
 * execute the notebooks in order at a profile, re-executing only those whose code, library,
 * profile or data changed. Stops at the first failing cell, naming notebook, cell and error.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { currentProfile, dataRoot, PROJECT_ROOT } from "../config.ts";
import { executeNotebooks, listNotebooks } from "./execute.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    profile: { type: "string" },
    timeout: { type: "string" },
    "out-dir": { type: "string" },
    force: { type: "boolean" },
  },
});
const profile = currentProfile(values.profile ?? Deno.env.get("XRAY_PROFILE"));
const all = await listNotebooks(join(PROJECT_ROOT, "notebooks"));
const chosen = positionals.length
  ? all.filter((p) => positionals.some((name) => p.includes(name)))
  : all;
const timeout = Number(
  values.timeout ?? Deno.env.get("XRAY_CELL_TIMEOUT") ?? profile.cellTimeoutSeconds,
);

console.error(
  `Notebooks: ${chosen.length} at profile "${profile.name}", data root ${dataRoot()}, ` +
    `cell timeout ${timeout} s`,
);
try {
  await executeNotebooks(chosen, {
    profile: profile.name,
    cellTimeoutSeconds: timeout,
    outDir: values["out-dir"],
    force: values.force,
    env: { XRAY_DATA_DIR: dataRoot() },
    cache: {
      libDir: join(PROJECT_ROOT, "lib"),
      extraFiles: [join(PROJECT_ROOT, "deno.json"), join(PROJECT_ROOT, "deno.lock")],
      profile: profile.name,
      dataRoot: dataRoot(),
    },
    onRun: (run) =>
      console.error(
        `  ${run.source.split("/").pop()}: ${
          run.executed ? `executed in ${run.seconds.toFixed(1)} s (${run.reason})` : "cached"
        }`,
      ),
  });
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  Deno.exit(1);
}
