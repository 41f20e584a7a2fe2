/**
 * `deno task site`: build the report (Astro, run under Deno) from the executed notebooks.
 * Settings: XRAY_PROFILE (whose results to show), XRAY_NOTEBOOKS_DIR (default notebooks/),
 * XRAY_SITE_BASE (base path, default /), XRAY_SITE_OUT (default site/dist).
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { env as setting } from "../lib/config.ts";
import { pageWeights, weightLines } from "./weight.ts";
import { prepareTryPage } from "./staging/prepare.ts";

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
    options.outDir ?? setting("XRAY_SITE_OUT") ?? resolve(SITE_DIR, "dist"),
  );
  env.XRAY_SITE_OUT = outDir;
  // the try-it page's models, gallery and predictions, staged in site/public/try/
  const runtime = await privateRuntimeDir();
  let manifest;
  try {
    manifest = await prepareTryPage(options.profile ?? setting("XRAY_PROFILE") ?? "quick");
  } finally {
    await runtime?.[Symbol.asyncDispose]();
  }
  if (manifest.missing) console.error(`note: try-it page: ${manifest.missing}`);
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

/**
 * Deno's WebGPU probe (run when the try-it page's predictions start a backend) goes through
 * Vulkan's window-system layer, which prints "error: XDG_RUNTIME_DIR is invalid or not set"
 * twice on a machine without a desktop session — on a build that succeeds. Where the variable
 * names no folder, a private one (mode 0700, removed afterwards) is set for this process.
 */
async function privateRuntimeDir(): Promise<AsyncDisposable | undefined> {
  const current = setting("XDG_RUNTIME_DIR");
  if (current && (await Deno.stat(current).then((s) => s.isDirectory, () => false))) return;
  const dir = await Deno.makeTempDir({ prefix: "xray-runtime-" });
  await Deno.chmod(dir, 0o700);
  Deno.env.set("XDG_RUNTIME_DIR", dir);
  return {
    [Symbol.asyncDispose]: async () => {
      if (current === undefined) Deno.env.delete("XDG_RUNTIME_DIR");
      else Deno.env.set("XDG_RUNTIME_DIR", current);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

// What the try-it page fetches only when asked: one model per arm the reader picks.
async function onDemandLine(out: string): Promise<string> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(resolve(out, "try", "manifest.json")));
    const arms = manifest.arms as { bytes: number }[];
    if (!arms.length) return "  try/: no models published";
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const each = Math.max(...arms.map((a) => a.bytes));
    const wasm = (await Array.fromAsync(Deno.readDir(resolve(out, "try", "wasm"))))
      .reduce((n, e) => Math.max(n, Deno.statSync(resolve(out, "try", "wasm", e.name)).size), 0);
    return `  try/ on demand: ${mb(each)} MB per model picked (${arms.length} published), ` +
      `${mb(wasm)} MB of wasm where WebGPU and WebGL are missing`;
  } catch {
    return "  try/: no models published";
  }
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const out = await buildSite();
    const base = setting("XRAY_SITE_BASE") ?? "/";
    console.error(`Report built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${out}`);
    console.error("Page weights:");
    console.error(weightLines(await pageWeights(out)).join("\n"));
    console.error(await onDemandLine(out));
    console.error(`View it with: deno task serve   (then open http://127.0.0.1:4321${base})`);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
