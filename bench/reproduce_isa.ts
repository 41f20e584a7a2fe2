/**
 * Does a whole chapter reproduce bit for bit on a processor with another instruction set? An
 * AVX-512 machine can imitate an AVX2 one (`ONEDNN_MAX_CPU_ISA=AVX2`), and TensorFlow can be
 * told not to use oneDNN at all (`TF_ENABLE_ONEDNN_OPTS=0`). This runs one chapter from scratch
 * (its own weights, feature cache and results folders) under each setting, compares every number
 * of its results file with the default run's, and writes what it found to
 * `results/<publish>/reproduction.json`, which the methods page shows.
 *
 * deno run -A bench/reproduce_isa.ts [--profile smoke] [--chapter 02-chestxray14] [--publish quick]
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { PROJECT_ROOT, resultsRoot } from "../lib/config.ts";
import { cpuInfo } from "../lib/results.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    profile: { type: "string", default: "smoke" },
    chapter: { type: "string", default: "02-chestxray14" },
    results: { type: "string", default: "chestxray14" },
    publish: { type: "string", default: "quick" },
  },
});
const SETTINGS: { name: string; env: Record<string, string> }[] = [
  { name: "default", env: {} },
  { name: "ONEDNN_MAX_CPU_ISA=AVX2", env: { ONEDNN_MAX_CPU_ISA: "AVX2" } },
  { name: "TF_ENABLE_ONEDNN_OPTS=0", env: { TF_ENABLE_ONEDNN_OPTS: "0" } },
];

/** Every number of a results file, by its JSON path, without the run record. */
function numbers(value: unknown, path = "", out = new Map<string, number>()): Map<string, number> {
  if (typeof value === "number") out.set(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => numbers(v, `${path}[${i}]`, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (path === "" && k === "run") continue;
      // timings and dates are not results
      if (/seconds|createdAt|imagesPerSecond/i.test(k)) continue;
      numbers(v, path ? `${path}.${k}` : k, out);
    }
  }
  return out;
}

async function runChapter(setting: (typeof SETTINGS)[number], scratch: string) {
  const env = {
    ...setting.env,
    XRAY_WEIGHTS_DIR: join(scratch, "weights"),
    XRAY_RESULTS_DIR: join(scratch, "results"),
    XRAY_CACHE_DIR: join(scratch, "cache"),
  };
  // the ResNet50 ImageNet files are fetched once into the cache; copy them rather than refetch
  await Deno.mkdir(env.XRAY_CACHE_DIR, { recursive: true });
  await new Deno.Command("cp", {
    args: ["-r", join(PROJECT_ROOT, ".cache", "weights"), env.XRAY_CACHE_DIR],
  }).output();
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/notebook/cli.ts",
      "--profile",
      values.profile!,
      "--force",
      "--out-dir",
      join(scratch, "notebooks"),
      values.chapter!,
    ],
    cwd: PROJECT_ROOT,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${values.chapter} failed under ${setting.name}`);
  const file = join(env.XRAY_RESULTS_DIR, values.profile!, `${values.results}.json`);
  // kept beside the report, so a reader can see which numbers moved and by how much
  const keptDir = join(resultsRoot(), values.publish!, "reproduction");
  await Deno.mkdir(keptDir, { recursive: true });
  // in a folder of their own: they are another profile's results, not this profile's chapters
  await Deno.copyFile(file, join(keptDir, `${slug(setting.name)}.json`));
  const results = JSON.parse(await Deno.readTextFile(file));
  return {
    commit: String(results.run?.gitCommit ?? "unknown").slice(0, 7),
    numbers: numbers(results),
    seconds: (performance.now() - started) / 1000,
  };
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

/** The largest difference among the numbers whose path matches `pattern`. */
function largestWhere(differing: [string, number, number][], pattern: RegExp): number {
  return Math.max(
    0,
    ...differing.filter(([k]) => pattern.test(k)).map(([, a, b]) => Math.abs(a - b)),
  );
}

const runs = [];
for (const setting of SETTINGS) {
  const scratch = await Deno.makeTempDir({ prefix: "xray-isa-" });
  try {
    console.error(`— ${values.chapter} at ${values.profile}, ${setting.name}`);
    runs.push({ setting, ...await runChapter(setting, scratch) });
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}
const reference = runs[0].numbers;
const settings = runs.map(({ setting, numbers: n, seconds }) => {
  const differing: [string, number, number][] = [...reference.entries()]
    .filter(([k, v]) => n.get(k) !== v).map(([k, v]) => [k, v, n.get(k) ?? NaN]);
  return {
    name: setting.name,
    identical: differing.length === 0 && n.size === reference.size,
    note: setting.name === "default"
      ? `the reference run (${reference.size} numbers)`
      : differing.length === 0
      ? `all ${reference.size} numbers identical`
      : `${differing.length} of ${reference.size} numbers differ; largest AUC difference ${
        largestWhere(differing, /auc|ci\[/i).toFixed(3)
      }, largest loss difference ${largestWhere(differing, /loss/i).toPrecision(2)} (${
        differing.slice(0, 3).map(([k]) => k).join(", ")
      } …)`,
    differing: differing.map(([k, a, b]) => ({ path: k, reference: a, here: b })),
    largestAucDifference: largestWhere(differing, /auc|ci\[/i),
    largestLossDifference: largestWhere(differing, /loss/i),
    seconds: Math.round(seconds),
  };
});
const cpu = cpuInfo();
const report = {
  chapter: values.chapter,
  profile: values.profile,
  cpu: `${cpu.model} (${cpu.isa})`,
  gitCommit: runs[0].commit,
  createdAt: new Date().toISOString(),
  settings,
};
const target = join(resultsRoot(), values.publish!, "reproduction.json");
await Deno.writeTextFile(target, JSON.stringify(report, null, 2) + "\n");
console.log(JSON.stringify(report, null, 2));
