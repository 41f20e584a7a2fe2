import { assertEquals, assertThrows, assertTrue } from "../assert.ts";
import { join } from "node:path";
import { initBackend } from "../../lib/backend/mod.ts";
import { STUDY_AUGMENTATION } from "../../lib/data/augment.ts";
import { defaultImageMemoryBytes, ImageCache } from "../../lib/data/cache.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import type { CovidRecord } from "../../lib/data/datasets/mod.ts";
import { BatchPipeline, oversampleMinority } from "../../lib/data/pipeline.ts";
import { writeBrokenImages } from "../fixtures.ts";
import { DATA_ROOT, once, tempDir } from "../helpers.ts";

await initBackend();
// the real data root, read when a test that needs it runs
const realData = once(async () => {
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  return { covid, sample: covid.records.slice(0, 24) };
});
const SIDE = 32;

function pipeline(records: readonly CovidRecord[], cache: ImageCache) {
  return new BatchPipeline(records, {
    side: SIDE,
    model: "densenet121",
    batchSize: 8,
    labels: (r) => [r.covid ? 1 : 0],
    augment: STUDY_AUGMENTATION,
    sampler: oversampleMinority((r) => r.covid),
    seed: 3,
    cache,
  });
}

async function epochs(p: BatchPipeline<CovidRecord>, n: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let e = 0; e < n; e++) {
    await p.forEachBatch(e, async (b) => void out.push((await b.x.data()) as Float32Array));
  }
  return out;
}

Deno.test("real data: image cache: a memory budget of 3 images gives the same batches, bit for bit", async () => {
  const { sample } = await realData();
  await using dir = await tempDir();
  using unbounded = new ImageCache(SIDE, { spillDir: dir.path });
  using bounded = new ImageCache(SIDE, { memoryBytes: 3 * SIDE * SIDE, spillDir: dir.path });
  const a = await pipeline(sample, unbounded).prepare();
  const b = await pipeline(sample, bounded).prepare();
  assertEquals(b.records, a.records);
  const [x, y] = [await epochs(a, 3), await epochs(b, 3)];
  assertEquals(y.length, x.length);
  y.forEach((batch, i) => assertEquals(batch, x[i], `batch ${i}`));
  // the unbounded cache never went to disk; the bounded one held 3 images and decoded each once
  assertEquals(unbounded.stats.onDisk, 0);
  assertEquals(bounded.capacity, 3);
  assertEquals(bounded.stats.inMemory, 3);
  assertEquals(bounded.stats.decoded, a.records.length);
  assertEquals(bounded.stats.onDisk, a.records.length); // each image written once, when evicted
  assertTrue(bounded.stats.diskReads > 0, "later epochs read images back from disk");
  // the on-disk file has no name: nothing is left in the folder, even before close
  assertEquals([...Deno.readDirSync(dir.path)], []);
});

Deno.test("real data: image cache: unreadable images are reported once, also under a budget", async () => {
  const { sample } = await realData();
  await using dir = await tempDir();
  const broken = await writeBrokenImages(dir.path);
  using cache = new ImageCache(SIDE, { memoryBytes: SIDE * SIDE, spillDir: dir.path });
  const paths = [...sample.slice(0, 4).map((r) => r.path), ...Object.values(broken)];
  const failures = await cache.preload(paths, { progress: false });
  assertEquals(failures.length, Object.keys(broken).length);
  const again = await cache.preload(paths, { progress: false });
  const byFile = (list: typeof failures) => list.toSorted((x, y) => x.file.localeCompare(y.file));
  assertEquals(byFile(again), byFile(failures)); // the same errors, not decoded again
  assertEquals(cache.stats.decoded, 4);
  assertEquals(cache.stats.failed, failures.length);
  assertEquals(cache.stats.inMemory, 1);
});

Deno.test("image cache: XRAY_IMAGE_MEMORY_MB sets the budget; a bad value is an error", () => {
  assertEquals(defaultImageMemoryBytes(undefined), 2 ** 30);
  assertEquals(defaultImageMemoryBytes("64"), 64 * 2 ** 20);
  assertEquals(new ImageCache(224, { memoryBytes: 2 ** 30 }).capacity, 21_399);
  assertThrows(() => defaultImageMemoryBytes("lots"), Error, "XRAY_IMAGE_MEMORY_MB");
});
