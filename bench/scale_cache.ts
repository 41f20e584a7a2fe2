/**
 * The image cache alone at the study's size: N images of 224 px go in (as `prepare()` puts them:
 * in order, two at a time) and are read back in a shuffled order (an epoch), with peak resident
 * memory, under a memory budget and without one (the cache before issue 25 kept every image).
 * Decoding is replaced by a generator of pixels, so this measures the cache, not the decoder, in
 * seconds rather than the hour the real pipeline takes; one process per line.
 *
 * ```sh
 * deno run -A bench/scale_cache.ts                # 10k, 50k, 112,120 × {1 GiB, unbounded}
 * deno run -A bench/scale_cache.ts --one 50000 1024
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/config.ts";
import { ImageCache } from "../lib/data/cache.ts";
import type { GreyImage } from "../lib/data/images.ts";
import { Rng } from "../lib/rng.ts";

const SIDE = 224;
const args = parseArgs({
  args: Deno.args,
  options: { one: { type: "boolean", default: false }, out: { type: "string" } },
  allowPositionals: true,
});

if (args.values.one) {
  const [n, budgetMb] = args.positionals.map(Number);
  console.log(JSON.stringify(await measure(n, budgetMb)));
  Deno.exit(0);
}

const rows = [];
for (const n of [10_000, 50_000, 112_120]) {
  for (const budgetMb of [1024, 0]) {
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "--one", String(n), String(budgetMb)],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!child.success) throw new Error(`${n} images, budget ${budgetMb}: failed`);
    const row = JSON.parse(new TextDecoder().decode(child.stdout).trim().split("\n").at(-1)!);
    console.error(JSON.stringify(row));
    rows.push(row);
  }
}
const out = args.values.out ?? join(PROJECT_ROOT, "results", "scale", "cache.json");
await Deno.writeTextFile(
  out,
  JSON.stringify(
    { bench: "scale-cache", generatedBy: "bench/scale_cache.ts", side: SIDE, rows },
    null,
    2,
  ) + "\n",
);
console.error(`wrote ${out}`);

/** Fill a cache with `n` images and read them back shuffled; `budgetMb` 0 = no bound. */
async function measure(n: number, budgetMb: number) {
  const spillDir = await Deno.makeTempDir({ prefix: "xray-cache-bench-" });
  // pixels from the path's number: cheap, and different for every image
  const decode = (path: string, side: number): Promise<GreyImage> => {
    const rng = new Rng(Number(path.slice(1)));
    const data = new Uint8Array(side * side);
    for (let i = 0; i < data.length; i += 64) data[i] = rng.int(256);
    return Promise.resolve({ side, data });
  };
  const cache = new ImageCache(SIDE, {
    memoryBytes: budgetMb ? budgetMb * 2 ** 20 : Infinity,
    spillDir,
    decode,
  });
  const paths = Array.from({ length: n }, (_, i) => `/${i}`);
  const t0 = performance.now();
  await cache.preload(paths, { progress: false });
  const fillSeconds = (performance.now() - t0) / 1000;
  const afterFill = peakMiB();
  const order = new Rng(1).shuffle(paths);
  const t1 = performance.now();
  let checksum = 0;
  for (const p of order) checksum += (await cache.get(p)).data[64];
  const epochSeconds = (performance.now() - t1) / 1000;
  const stats = cache.stats;
  cache.close();
  await Deno.remove(spillDir, { recursive: true });
  return {
    images: n,
    budgetMiB: budgetMb || "none",
    imagesMiB: Math.round((n * SIDE * SIDE) / 2 ** 20),
    peakRssAfterFillMiB: afterFill,
    peakRssMiB: peakMiB(),
    fillSeconds: round(fillSeconds),
    epochSeconds: round(epochSeconds),
    epochMsPerImage: round((1000 * epochSeconds) / n, 3),
    inMemory: stats.inMemory,
    onDisk: stats.onDisk,
    diskReads: stats.diskReads,
    checksum,
  };
}

function peakMiB(): number {
  const kb = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s*(\d+)/)?.[1];
  return Math.round(Number(kb) / 1024);
}

function round(v: number, digits = 2): number {
  return Number(v.toFixed(digits));
}
