/**
 * `deno task notebooks [--profile quick] [names…]`: execute the notebooks in order, in place,
 * at a profile. Stops at the first failing cell and names notebook, cell and error.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { currentProfile, dataRoot, PROJECT_ROOT } from "../config.ts";
import { executeNotebook, listNotebooks } from "./execute.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { profile: { type: "string" }, timeout: { type: "string" } },
});
const profile = currentProfile(values.profile ?? Deno.env.get("XRAY_PROFILE"));
const all = await listNotebooks(join(PROJECT_ROOT, "notebooks"));
const chosen = positionals.length
  ? all.filter((p) => positionals.some((name) => p.includes(name)))
  : all;
const timeout = Number(values.timeout ?? profile.cellTimeoutSeconds);

console.error(
  `Executing ${chosen.length} notebook(s) at profile "${profile.name}", data root ${dataRoot()}`,
);
for (const path of chosen) {
  const started = performance.now();
  try {
    await executeNotebook(path, {
      profile: profile.name,
      cellTimeoutSeconds: timeout,
      env: { XRAY_DATA_DIR: dataRoot() },
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
  console.error(
    `  ${path.split("/").pop()} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
