/**
 * The report as the site tests see it: notebooks executed at the smoke profile (cached), the
 * site built under a sub-path into test-output/, served on a free port — once per test run,
 * shared by the tests that need it.
 * @module
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config.ts";
import { executeNotebooks, listNotebooks } from "../../lib/notebook/execute.ts";
import { buildSite } from "../../site/build.ts";
import { DATA_ROOT } from "../helpers.ts";

/** Where the test build goes. */
export const TEST_OUT: string = join(PROJECT_ROOT, "test-output");
/** The base path the test site is built under (as a project page would be). */
export const BASE = "/xray-transfer/";
/** The browser the tests drive. */
export const CHROMIUM: string = Deno.env.get("XRAY_CHROMIUM") ?? "/usr/bin/chromium";
/** Chromium's flags for a machine without a display or GPU. */
export const CHROMIUM_ARGS: string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];
/** Where screenshots for people go (git-ignored; CI keeps them as artefacts). */
export const SCREENSHOTS: string = join(PROJECT_ROOT, "site", "test-screenshots");

let built: Promise<string> | undefined;

/** The built test site's folder (built on first call). */
export function testSite(): Promise<string> {
  built ??= (async () => {
    const notebooksOut = join(TEST_OUT, "notebooks");
    await executeNotebooks(await listNotebooks(join(PROJECT_ROOT, "notebooks")), {
      profile: "smoke",
      cellTimeoutSeconds: 600,
      outDir: notebooksOut,
      env: { XRAY_DATA_DIR: DATA_ROOT },
      cache: {
        libDir: join(PROJECT_ROOT, "lib"),
        extraFiles: [join(PROJECT_ROOT, "deno.json"), join(PROJECT_ROOT, "deno.lock")],
        profile: "smoke",
        dataRoot: DATA_ROOT,
      },
    });
    return await buildSite({
      profile: "smoke",
      notebooksDir: notebooksOut,
      base: BASE,
      outDir: join(TEST_OUT, "site"),
    });
  })();
  return built;
}
