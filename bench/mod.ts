/**
 * `deno task bench`: throughput benchmarks, one JSON line each on stdout.
 * 1. The image pipeline at 224 px on the COVID-19 images: decode + resize (cold, from disk),
 *    then augment + normalise + tensor (warm, from the in-memory cache), images/s.
 * 2. DenseNet121 and ResNet50 at 128 and 224 px: inference and training images/s and peak
 *    memory, on wasm and (when provisioned) native TensorFlow, with 1 and 2 threads
 *    (`XRAY_THREADS`; one process per line, see `bench/model.ts`), and on WebGPU when it has a
 *    hardware adapter. Training at 224 px on wasm uses batch 2, the most the 4 GiB wasm heap
 *    holds; larger batches are reached by gradient accumulation, which costs the same per image.
 *    Native TensorFlow trains batch 16 at 224 px; WebGPU batch 16 and 64.
 *    `XRAY_BENCH_BACKENDS=webgpu,wasm` picks backends (WebGPU on a software adapter only so).
 *    With WebGPU, `bench/webgpu_kernels.ts` also times the stock filter-gradient kernel
 *    against the project's.
 * `deno task bench --reference` also runs each native configuration in PyTorch (when a Python
 * with torch and torchvision is importable; `bench/reference.py`), in the same run and on the
 * same threads, right after ours, and prints both, the ratio, the CPU model and the load
 * average at each measurement; at the end, the README's table (with the wasm column).
 * `deno task bench --grid [--reference]` measures how cost grows instead: native TensorFlow (and
 * PyTorch) at every side of 64, 128, 224 px and batch of 4, 8, 16, 32, on the last thread count
 * of `XRAY_BENCH_THREADS` (default 2), and prints tables of img/s by side and batch. Small
 * sides and batches show the fixed cost per op, large ones the kernels
 * (`XRAY_BENCH_GRID_SIDES=64,128` and `XRAY_BENCH_GRID_BATCHES=4,8` pick a part of the grid).
 * On a busy machine PyTorch's OpenMP threads spin while they wait for each other, and a step can
 * take ten times as long as on a quiet one; `OMP_WAIT_POLICY=PASSIVE` (passed on to PyTorch,
 * and printed with its numbers) makes that comparison less lopsided. Quote numbers from a quiet
 * machine. Even a quiet shared machine drifts by ±20% from one minute to the next:
 * `XRAY_BENCH_REPEATS=N` measures each configuration N times, alternating ours and PyTorch,
 * and reports the medians and the range of the N paired ratios.
 * `XRAY_BENCH_MODELS=0` skips part 2; `XRAY_BENCH_THREADS=2` runs one thread count;
 * `XRAY_BENCH_ARCHS=densenet121` one architecture.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { initBackend, tf } from "../lib/backend/mod.ts";
import { webGpuAdapter } from "../lib/backend/webgpu.ts";
import { PROJECT_ROOT } from "../lib/config.ts";
import { loadCovid } from "../lib/data/datasets/mod.ts";
import { STUDY_AUGMENTATION } from "../lib/data/augment.ts";
import { BatchPipeline } from "../lib/data/pipeline.ts";

const grid = Deno.args.includes("--grid");
const backend = await initBackend();
if (!grid) await benchPipeline();

if (Deno.env.get("XRAY_BENCH_MODELS") !== "0") {
  const threads = (Deno.env.get("XRAY_BENCH_THREADS") ?? (grid ? "2" : "1,2")).split(",")
    .map(Number);
  const archs = Deno.env.get("XRAY_BENCH_ARCHS")?.split(",") ?? ["densenet121", "resnet50"];
  const native = existsSync(
    join(
      PROJECT_ROOT,
      ".tools/native/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node",
    ),
  );
  const reference = Deno.args.includes("--reference") ? await referencePython() : undefined;
  const cpu = cpuModel();
  const repeats = Math.max(1, Number(Deno.env.get("XRAY_BENCH_REPEATS") ?? 1) || 1);
  const results: Measured[] = [];
  const gpu = await webGpuAdapter();
  const backends = grid ? ["tensorflow"] : Deno.env.get("XRAY_BENCH_BACKENDS")?.split(",") ??
    ["wasm", ...(native ? ["tensorflow"] : []), ...(gpu && !gpu.software ? ["webgpu"] : [])];
  if (grid && !native) console.error("--grid: native TensorFlow is not installed; nothing to do");
  const sizes: Record<string, number[][]> = grid
    ? {
      tensorflow: numbers("XRAY_BENCH_GRID_SIDES", [64, 128, 224]).flatMap((side) =>
        numbers("XRAY_BENCH_GRID_BATCHES", [4, 8, 16, 32]).map((b) => [side, b])
      ),
    }
    : {
      wasm: [[128, 8], [224, 2]],
      tensorflow: [[128, 8], [224, 16]],
      webgpu: [[224, 16], [224, 64]],
    };
  for (const backendName of backends) {
    if (backendName === "tensorflow" && !native) continue;
    for (const arch of archs) {
      for (const [side, batch] of sizes[backendName] ?? sizes.tensorflow) {
        // a GPU backend has no thread count to vary; the grid runs one thread count
        const counts = backendName === "webgpu" || grid ? [threads.at(-1)!] : threads;
        for (const n of counts) {
          const oursRuns: Record<string, unknown>[] = [], torchRuns: Record<string, unknown>[] = [];
          const withTorch = reference && backendName === "tensorflow";
          for (let repeat = 0; repeat < (withTorch ? repeats : 1); repeat++) {
            const ours = await runJson(
              [Deno.execPath(), "run", "-A", new URL("./model.ts", import.meta.url).pathname],
              [arch, `${side}`, `${batch}`, `${n}`],
              { XRAY_BACKEND: backendName, XRAY_THREADS: String(n) },
            ) ??
              { bench: "model", model: arch, side, batch, backend: backendName, error: "failed" };
            const load = loadAverage();
            console.log(JSON.stringify({ ...ours, cpu, load_average: load }));
            oursRuns.push(ours);
            if (!withTorch) continue;
            // the same configuration in PyTorch, in the same run, on the same cores
            const torch = await runJson(
              [reference, new URL("./reference.py", import.meta.url).pathname],
              [arch, `${side}`, `${batch}`, `${n}`],
            );
            if (!torch) continue;
            const waitPolicy = Deno.env.get("OMP_WAIT_POLICY");
            console.log(JSON.stringify({
              ...torch,
              cpu,
              load_average: loadAverage(),
              ...(waitPolicy ? { omp_wait_policy: waitPolicy } : {}),
            }));
            torchRuns.push(torch);
            console.log(JSON.stringify({
              bench: "ratio",
              model: arch,
              side,
              batch,
              threads: n,
              cpu,
              load_average: load,
              repeat,
              train_ratio: ratio(ours.train_images_per_s, torch.train_images_per_s),
              infer_ratio: ratio(ours.infer_images_per_s, torch.infer_images_per_s),
            }));
          }
          results.push({
            arch,
            side,
            batch,
            threads: n,
            backend: backendName,
            ours: medianRun(oursRuns),
            ...(torchRuns.length ? { torch: medianRun(torchRuns) } : {}),
            ...(torchRuns.length > 1 ? { ratios: pairedRatios(oursRuns, torchRuns) } : {}),
          });
        }
      }
    }
  }
  if (backends.includes("webgpu")) {
    // the filter-gradient kernel alone, stock against ours, in a process of its own
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./webgpu_kernels.ts", import.meta.url).pathname],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
  }
  if (grid) printGrid(results, cpu);
  else printTable(results, cpu);
}

/** One configuration measured: ours, and PyTorch's when asked for. */
interface Measured {
  arch: string;
  side: number;
  batch: number;
  threads: number;
  backend: string;
  ours: Record<string, unknown>;
  torch?: Record<string, unknown>;
  /** With repeats: each pair's ratios (ours ÷ PyTorch), train and infer. */
  ratios?: { train: number[]; infer: number[] };
}

// Repeated runs of one configuration as one: the median of each throughput.
function medianRun(runs: Record<string, unknown>[]): Record<string, unknown> {
  const ok = runs.filter((r) => typeof r.train_images_per_s === "number");
  if (!ok.length) return runs[0];
  const median = (key: string) => {
    const v = ok.map((r) => Number(r[key])).sort((a, b) => a - b);
    const mid = v.length >> 1;
    return round2(v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
  };
  return {
    ...ok[0],
    runs: ok.length,
    train_images_per_s: median("train_images_per_s"),
    infer_images_per_s: median("infer_images_per_s"),
  };
}

// Each alternating pair's ratios, ours ÷ PyTorch.
function pairedRatios(
  ours: Record<string, unknown>[],
  torch: Record<string, unknown>[],
): { train: number[]; infer: number[] } {
  const pairs = torch.map((t, i) => [ours[i], t]);
  return {
    train: pairs.map(([o, t]) => ratio(o.train_images_per_s, t.train_images_per_s)),
    infer: pairs.map(([o, t]) => ratio(o.infer_images_per_s, t.infer_images_per_s)),
  };
}

// The ratio of the medians, with the range of the paired ratios when there were repeats.
function ratioCell(r: Measured, key: "train" | "infer"): string {
  if (!r.torch) return "–";
  const field = `${key}_images_per_s`;
  const mid = ratio(r.ours[field], r.torch[field]);
  const all = r.ratios?.[key];
  return all ? `${mid} (${Math.min(...all)}–${Math.max(...all)})` : `${mid}`;
}

// The README's table: native TensorFlow against PyTorch, with the wasm numbers beside.
function printTable(results: Measured[], cpu: string): void {
  const native = results.filter((r) => r.backend === "tensorflow");
  if (!native.length) return;
  const runs = Math.max(...native.map((r) => r.ratios?.train.length ?? 1));
  console.error(
    `\nNative TensorFlow against PyTorch, ${cpu}, ${date()}` +
      (runs > 1 ? `, medians of ${runs} alternating runs (range of the paired ratios):` : ":"),
  );
  console.error(
    "| model | side | batch | threads | native TF train / infer (img/s) | " +
      "PyTorch train / infer | ratio train | ratio infer | wasm train / infer (batch) |",
  );
  console.error("|---|---|---|---|---|---|---|---|---|");
  for (const r of native) {
    const wasm = results.find((w) =>
      w.backend === "wasm" && w.arch === r.arch && w.side === r.side && w.threads === r.threads
    );
    console.error(
      `| ${r.arch} | ${r.side} px | ${r.batch} | ${r.threads} | ${pair(r.ours)} | ${
        r.torch ? pair(r.torch) : "–"
      } | ${ratioCell(r, "train")} | ${ratioCell(r, "infer")} | ${
        wasm ? `${pair(wasm.ours)} (${wasm.batch})` : "–"
      } |`,
    );
  }
  console.error(`load average at the end: ${loadAverage()}${waitPolicyNote()}`);
}

// How cost grows: img/s by side (rows) and batch (columns), ours / PyTorch (ratio).
function printGrid(results: Measured[], cpu: string): void {
  const batches = [...new Set(results.map((r) => r.batch))].sort((a, b) => a - b);
  for (const arch of [...new Set(results.map((r) => r.arch))]) {
    for (
      const [what, key] of [["training", "train_images_per_s"], ["inference", "infer_images_per_s"]]
    ) {
      console.error(
        `\n${arch} ${what}, img/s, native TensorFlow / PyTorch (ratio), ${cpu}, ` +
          `${results[0]?.threads} threads, ${date()}:`,
      );
      console.error(`| side | ${batches.map((b) => `batch ${b}`).join(" | ")} |`);
      console.error(`|---|${batches.map(() => "---").join("|")}|`);
      for (const side of [...new Set(results.map((r) => r.side))]) {
        const cells = batches.map((b) => {
          const r = results.find((x) => x.arch === arch && x.side === side && x.batch === b);
          if (!r) return "–";
          const ours = r.ours[key] ?? "failed";
          return r.torch ? `${ours} / ${r.torch[key]} (${ratio(ours, r.torch[key])})` : `${ours}`;
        });
        console.error(`| ${side} px | ${cells.join(" | ")} |`);
      }
    }
  }
  console.error(`load average at the end: ${loadAverage()}${waitPolicyNote()}`);
}

function waitPolicyNote(): string {
  const policy = Deno.env.get("OMP_WAIT_POLICY");
  return policy ? `; PyTorch ran with OMP_WAIT_POLICY=${policy}` : "";
}

function numbers(name: string, fallback: number[]): number[] {
  const value = Deno.env.get(name);
  return value ? value.split(",").map(Number) : fallback;
}

function pair(m: Record<string, unknown>): string {
  return `${m.train_images_per_s ?? "failed"} / ${m.infer_images_per_s ?? "failed"}`;
}

function ratio(a: unknown, b: unknown): number {
  return round2(Number(a) / Number(b));
}

function date(): string {
  return new Date().toISOString().slice(0, 10);
}

// The 1-, 5- and 15-minute load averages: other work on the machine skews every timing.
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

// One child process, one JSON line on stdout (its last line); undefined if it failed.
async function runJson(
  command: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<Record<string, unknown> | undefined> {
  const child = await new Deno.Command(command[0], {
    args: [...command.slice(1), ...args],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).output().catch(() => undefined);
  const line = child?.success
    ? new TextDecoder().decode(child.stdout).trim().split("\n").pop()
    : undefined;
  return line ? JSON.parse(line) : undefined;
}

// A Python that imports torch and torchvision (Debian: python3-torch python3-torchvision).
async function referencePython(): Promise<string | undefined> {
  for (const python of [Deno.env.get("XRAY_BENCH_PYTHON"), "/usr/bin/python3", "python3"]) {
    if (!python) continue;
    const ok = await new Deno.Command(python, { args: ["-c", "import torch, torchvision"] })
      .output().then((r) => r.success, () => false);
    if (ok) return python;
  }
  console.error(
    "--reference: no Python with torch and torchvision found (Debian: apt-get install " +
      "python3-torch python3-torchvision); PyTorch rows skipped",
  );
  return undefined;
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const name = /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? "unknown CPU";
    return `${name}, ${navigator.hardwareConcurrency} logical cores`;
  } catch {
    return `${navigator.hardwareConcurrency} cores`;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

// Part 1: the image pipeline.
async function benchPipeline(): Promise<void> {
  const side = Number(Deno.env.get("XRAY_BENCH_SIDE") ?? 224);
  const covid = await loadCovid();
  const records = covid.records.slice(0, Number(Deno.env.get("XRAY_BENCH_IMAGES") ?? 200));
  const pipeline = new BatchPipeline(records, {
    side,
    model: "densenet121",
    batchSize: 16,
    labels: (r) => [r.covid ? 1 : 0],
    augment: STUDY_AUGMENTATION,
    seed: 1,
  });

  const t0 = performance.now();
  await pipeline.prepare(`decode ${side}px`);
  const decodeSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  let images = 0;
  await pipeline.forEachBatch(0, async (b) => {
    await b.x.data(); // make sure the tensor exists
    images += b.records.length;
  });
  const augmentSeconds = (performance.now() - t1) / 1000;

  console.log(JSON.stringify({
    bench: "image-pipeline",
    dataset: "covid-chestxray",
    side,
    images: records.length,
    backend: backend.name,
    threads: backend.threads,
    cores: navigator.hardwareConcurrency,
    decode_resize_images_per_s: round(records.length / decodeSeconds),
    augment_normalise_tensor_images_per_s: round(images / augmentSeconds),
    end_to_end_images_per_s: round(records.length / (decodeSeconds + augmentSeconds)),
    peak_rss_mib: round(Deno.memoryUsage().rss / 2 ** 20),
    tensors_left: tf.memory().numTensors,
  }));
}
