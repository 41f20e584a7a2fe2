/**
 * The main job's data step against a loopback mirror, as a process a test can kill: the real
 * plan items (with the mirror's base URLs and, where the mirror serves other bytes than upstream,
 * its pins) through the same `runDataStep` that `deno task data` runs; its exit status is the
 * data step's.
 *
 *   deno run -A test/data/fetch_driver.ts <config.json>
 *
 * config: { root, base, needs: ["covid-chestxray" | "nih-chestxray14" | "weights" |
 * "external"], pins?: { <source>: Pins }, repair?: boolean, command: string }
 * @module
 */
import { PROFILES } from "../../lib/config.ts";
import { runDataStep } from "../../lib/data/data_step.ts";
import type { Pins } from "../../lib/data/fetch.ts";
import { profileNeeds } from "../../lib/data/requirements.ts";

/** What the driver reads from its config file. */
export interface DriverConfig {
  readonly root: string;
  readonly base: string;
  readonly needs: string[];
  readonly pins?: Record<string, Pins>;
  readonly repair?: boolean;
  readonly command: string;
}

/** The mirror's routes (URL prefix under the server), by source name. */
export const MIRROR_ROUTES: Readonly<Record<string, string>> = {
  "covid-chestxray": "/covid",
  "nih-labels": "/txv",
  "nih-lists": "/study",
  "nih-archives": "/archives",
  densenet121: "/gradcam",
  npm: "/npm",
  figure1: "/figure1",
  actualmed: "/actualmed",
};

if (import.meta.main) {
  const config = JSON.parse(await Deno.readTextFile(Deno.args[0])) as DriverConfig;
  const baseUrls = Object.fromEntries(
    Object.entries(MIRROR_ROUTES).map(([name, route]) => [name, config.base + route]),
  );
  const items = profileNeeds(PROFILES.smoke, config.root, { baseUrls, pins: config.pins }, [
    ...config.needs,
  ]);
  Deno.exit(
    await runDataStep({
      header: `Data root ${config.root}, profile smoke:`,
      items,
      command: config.command,
      repair: config.repair,
      fetchOptions: { retryDelayMs: 10 },
    }),
  );
}
