/**
 * The `paper` profile's data path at the study's data size: on the synthetic ChestX-ray14 roots
 * of `bench/scale_root.ts` (10k, 50k and all 112,120 images), one fresh process per size runs
 * what chapter 2 runs around the networks — listing, the stored-size filter, the patient split,
 * the leakage guard and the model card, decoding into the image cache, a full training epoch
 * (augmented batches at 224 px, validation, checkpoint), resume, test predictions, the feature
 * cache, the bootstrap behind the results — with DenseNet121 replaced by a tiny model, and
 * records each stage's wall time and peak resident memory (VmHWM, reset before each stage).
 *
 * ```sh
 * deno task bench:scale --root /work/scale-root            # all sizes → results/scale/scale.json
 * deno task bench:scale --root /work/scale-root --sizes n10000 --out /tmp/s.json
 * ```
 * `XRAY_IMAGE_MEMORY_MB` sets the image cache's memory budget (default 1024).
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { PROFILES, PROJECT_ROOT } from "../lib/config.ts";
import { decodeCost } from "./_decode_cost.ts";
import type { StageResult } from "./_scale_stages.ts";

/** One size's run, as `results/scale/scale.json` holds it. */
interface Run {
  readonly size: string;
  readonly wallSeconds: number;
  readonly loadAverage: { before: number[]; after: number[] };
  readonly backend: string;
  readonly side: number;
  readonly stages: StageResult[];
  readonly summary: { images: number; seconds: number; peakRssMiB: number; tensorsLeft: number };
}

const args = parseArgs({
  args: Deno.args,
  options: {
    root: { type: "string" },
    sizes: { type: "string", default: "n10000,n50000,full" },
    out: { type: "string" },
    one: { type: "string" }, // internal: run the stages on one data root, print JSON
  },
});

if (args.values.one) {
  const { runStages } = await import("./_scale_stages.ts");
  console.log(JSON.stringify(await runStages(PROFILES.paper)));
  Deno.exit(0);
}

if (!args.values.root) {
  console.error("usage: deno task bench:scale --root <folder made by bench/scale_root.ts>");
  Deno.exit(2);
}
const root = resolve(args.values.root);
const manifest = JSON.parse(await Deno.readTextFile(join(root, "scale-root.json")));
const rows: Run[] = [];
for (const size of args.values.sizes.split(",")) {
  const dataRoot = join(root, size);
  const cache = await Deno.makeTempDir({ prefix: "xray-scale-" });
  console.error(`[scale] ${size}: ${dataRoot}`);
  const started = performance.now();
  const loadBefore = Deno.loadavg();
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--one", dataRoot],
    env: { XRAY_DATA_DIR: dataRoot, XRAY_CACHE_DIR: cache, XRAY_PROFILE: "paper" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  await Deno.remove(cache, { recursive: true });
  if (!child.success) throw new Error(`the ${size} run failed (exit ${child.code})`);
  const lines = new TextDecoder().decode(child.stdout).trim().split("\n");
  const result = JSON.parse(lines[lines.length - 1]);
  // the machine's load: on a shared machine the times stretch with it
  const loadAverage = { before: loadBefore, after: Deno.loadavg() };
  rows.push({ size, wallSeconds: (performance.now() - started) / 1000, loadAverage, ...result });
  console.error(`[scale] ${size}: ${JSON.stringify(result.summary)}`);
}

// what decoding costs at the real dataset's stored size (the synthetic PNGs are 256 px)
const sample = join(root, "full", "nih-chestxray14", "images", "00000001_000.png");
const decode = await decodeCost(sample, PROFILES.paper.imageSide);
console.error(`[scale] decode cost: ${JSON.stringify(decode)}`);

const report = {
  bench: "scale",
  generatedBy: "bench/scale.ts",
  syntheticRoot: manifest,
  cpu: cpuModel(),
  cores: navigator.hardwareConcurrency,
  imageMemoryMb: Deno.env.get("XRAY_IMAGE_MEMORY_MB") ?? "1024 (default)",
  deno: Deno.version.deno,
  createdAt: new Date().toISOString(),
  decodeMsPerImage: decode,
  runs: rows,
};
const out = args.values.out ?? join(PROJECT_ROOT, "results", "scale", "scale.json");
await Deno.mkdir(join(out, ".."), { recursive: true });
await Deno.writeTextFile(out, JSON.stringify(report, null, 2) + "\n");
console.error(`[scale] wrote ${out}`);
console.log(table(rows));

function table(runs: readonly Run[]): string {
  const stages = runs[0]?.stages.map((s) => s.stage) ?? [];
  const head = ["images", ...stages.map((s) => `${s} s`), "total s", "peak RSS MiB"];
  const lines = [head, head.map(() => "---")];
  for (const r of runs) {
    lines.push([
      String(r.summary.images),
      ...r.stages.map((s) => s.seconds.toFixed(1)),
      r.summary.seconds.toFixed(0),
      String(r.summary.peakRssMiB),
    ]);
  }
  return lines.map((l) => `| ${l.join(" | ")} |`).join("\n");
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/model name\s*:\s*(.+)/)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
