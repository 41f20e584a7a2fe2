/**
 * Results files: every notebook writes what it measured as JSON under `results/<profile>/`,
 * with the configuration of the run, and the site reads them from there (never typed in).
 * @module
 */
import { join } from "node:path";
import { backendInfo, tf } from "./backend/mod.ts";
import {
  currentProfile,
  dataRoot,
  env,
  type Profile,
  PROJECT_ROOT,
  resultsRoot,
} from "./config.ts";
import { dataManifestHash } from "./notebook/cache.ts";

/** How a result was produced: enough to reproduce or to distrust it. */
export interface RunInfo {
  readonly profile: Profile;
  /**
   * Hash of the data manifest (every dataset file's path relative to the data root, and its
   * size): the same data gives the same hash wherever the root lies. The root's own path is not
   * recorded — it says nothing about the result, and published files name no machine's paths.
   */
  readonly dataManifest: string;
  /** The processor: model, and the widest vector instructions TensorFlow's kernels can use. */
  readonly cpu: CpuInfo;
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

/** A processor as results record it. */
export interface CpuInfo {
  readonly model: string;
  /** e.g. "AVX-512", "AVX2", "SSE4.2": numbers can differ between instruction sets. */
  readonly isa: string;
  /** oneDNN settings that change which kernels run (unset when empty). */
  readonly onednn: { maxIsa?: string; opts?: string };
}

let manifest: string | undefined;

/** The current run's configuration. */
export function runInfo(profile: Profile = currentProfile()): RunInfo {
  return {
    profile,
    dataManifest: manifest ?? "not yet computed",
    cpu: cpuInfo(),
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
function resultsDir(profile: Profile = currentProfile()): string {
  return join(resultsRoot(), profile.name);
}

/** Write `results/<profile>/<name>.json` as `{ run, ...data }`; returns the path. */
export async function saveResults(name: string, data: Record<string, unknown>): Promise<string> {
  const profile = currentProfile();
  manifest ??= await dataManifestHash(dataRoot());
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

/**
 * A chapter's results file of a profile, for a later chapter that builds on it.
 * @throws Error naming the chapter to run when the file is missing
 */
export async function readResults<T>(name: string, profile: Profile, chapter: string): Promise<T> {
  const path = join(resultsDir(profile), `${name}.json`);
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch {
    throw new Error(`${path} is missing: run chapter ${chapter} at profile ${profile.name} first`);
  }
}

/** The processor, read from the operating system (Linux: /proc/cpuinfo). */
export function cpuInfo(): CpuInfo {
  let model = "unknown", flags = "";
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    model = text.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? model;
    flags = text.match(/^flags\s*:\s*(.+)$/m)?.[1] ?? "";
  } catch {
    // not Linux: the model stays unknown
  }
  const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
  const isa = has("avx512f")
    ? "AVX-512"
    : has("avx2")
    ? "AVX2"
    : has("sse4_2")
    ? "SSE4.2"
    : flags
    ? "older"
    : "unknown";
  return {
    model,
    isa,
    onednn: { maxIsa: env("ONEDNN_MAX_CPU_ISA"), opts: env("TF_ENABLE_ONEDNN_OPTS") },
  };
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
