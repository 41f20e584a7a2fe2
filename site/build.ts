/**
 * `deno task site`: build the report (Astro, run under Deno) from the executed notebooks.
 * Settings: XRAY_PROFILE (whose results to show), XRAY_NOTEBOOKS_DIR (default notebooks/),
 * XRAY_SITE_BASE (base path, default /), XRAY_SITE_OUT (default site/dist).
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { pageWeights, weightLines } from "./weight.ts";

/** Options for {@link buildSite}; unset fields fall back to the environment. */
export interface BuildOptions {
  readonly profile?: string;
  readonly notebooksDir?: string;
  readonly base?: string;
  readonly outDir?: string;
}

const SITE_DIR = dirname(fileURLToPath(import.meta.url));

/** Run `astro build` for the site; throws with Astro's output when it fails. */
export async function buildSite(options: BuildOptions = {}): Promise<string> {
  const env: Record<string, string> = {};
  if (options.profile) env.XRAY_PROFILE = options.profile;
  if (options.notebooksDir) env.XRAY_NOTEBOOKS_DIR = resolve(options.notebooksDir);
  if (options.base) env.XRAY_SITE_BASE = options.base;
  const outDir = resolve(
    options.outDir ?? Deno.env.get("XRAY_SITE_OUT") ?? resolve(SITE_DIR, "dist"),
  );
  env.XRAY_SITE_OUT = outDir;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "npm:astro@7.3.5", "build", "--root", SITE_DIR, "--silent"],
    cwd: resolve(SITE_DIR, ".."),
    env: { ...env, ASTRO_TELEMETRY_DISABLED: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const text = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
    throw new Error(
      `astro build failed (exit ${result.code}):\n${text.trim().split("\n").slice(-30).join("\n")}`,
    );
  }
  return outDir;
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const out = await buildSite();
    const base = Deno.env.get("XRAY_SITE_BASE") ?? "/";
    console.error(`Report built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${out}`);
    console.error("Page weights:");
    console.error(weightLines(await pageWeights(out)).join("\n"));
    console.error(`View it with: deno task serve   (then open http://127.0.0.1:4321${base})`);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
