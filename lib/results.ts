/**
 * Results files: every notebook writes what it measured as JSON under `results/<profile>/`,
 * with the configuration of the run, and the site reads them from there (never typed in).
 * @module
 */
import { join } from "node:path";
import { backendInfo, tf } from "./backend/mod.ts";
import { currentProfile, dataRoot, type Profile, PROJECT_ROOT } from "./config.ts";

/** How a result was produced: enough to reproduce or to distrust it. */
export interface RunInfo {
  readonly profile: Profile;
  readonly dataRoot: string;
  readonly gitCommit: string | undefined;
  /** The tfjs backend and its threads (undefined when the run used none). */
  readonly backend: { name: string; threads: number; description: string } | undefined;
  /** Versions of the packages that computed the numbers. */
  readonly packages: Record<string, string>;
  readonly deno: string;
  readonly v8: string;
  readonly platform: string;
  readonly cores: number;
  readonly createdAt: string;
}

/** The current run's configuration. */
export function runInfo(profile: Profile = currentProfile()): RunInfo {
  return {
    profile,
    dataRoot: dataRoot(),
    gitCommit: gitCommit(),
    backend: (() => {
      const b = backendInfo();
      return b && { name: b.name, threads: b.threads, description: b.description };
    })(),
    packages: { ...tf.version },
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    platform: `${Deno.build.os}-${Deno.build.arch}`,
    cores: navigator.hardwareConcurrency,
    createdAt: new Date().toISOString(),
  };
}

/** The results folder of a profile. */
export function resultsDir(profile: Profile = currentProfile()): string {
  return join(PROJECT_ROOT, "results", profile.name);
}

/** Write `results/<profile>/<name>.json` as `{ run, ...data }`; returns the path. */
export async function saveResults(name: string, data: Record<string, unknown>): Promise<string> {
  const profile = currentProfile();
  const dir = resultsDir(profile);
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  // JSON has no Infinity: profiles use it for "all images"
  const replacer = (_key: string, value: unknown) => (value === Infinity ? "all" : value);
  await Deno.writeTextFile(
    path,
    JSON.stringify({ run: runInfo(profile), ...data }, replacer, 2) + "\n",
  );
  return path;
}

function gitCommit(): string | undefined {
  try {
    const out = new Deno.Command("git", { args: ["rev-parse", "HEAD"], cwd: PROJECT_ROOT })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}
