import { assertEquals, assertNotEquals } from "../assert.ts";
import { join } from "node:path";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { STUDY_AUGMENTATION } from "../../lib/data/augment.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { BatchPipeline } from "../../lib/data/pipeline.ts";
import type { CovidRecord } from "../../lib/data/datasets/mod.ts";
import { writeBrokenImages } from "../fixtures.ts";
import { DATA_ROOT, once, tempDir } from "../helpers.ts";

await initBackend();
// the real data root, read when a test that needs it runs
const realData = once(async () => {
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  return { covid, sample: covid.records.slice(0, 20) };
});

function pipeline(records: readonly CovidRecord[], seed = 1) {
  return new BatchPipeline(records, {
    side: 32,
    model: "densenet121",
    batchSize: 8,
    labels: (r) => [r.covid ? 1 : 0],
    augment: STUDY_AUGMENTATION,
    seed,
  });
}

async function epochData(p: BatchPipeline<CovidRecord>, epoch: number): Promise<number[][]> {
  const out: number[][] = [];
  await p.forEachBatch(epoch, async (b) => {
    out.push(Array.from(await b.x.data()));
  });
  return out;
}

Deno.test("real data: pipeline: batch shapes, labels, and each image decoded once across epochs", async () => {
  const { sample } = await realData();
  const p = await pipeline(sample).prepare();
  assertEquals(p.batchesPerEpoch, 3);
  const shapes: number[][] = [];
  await p.forEachBatch(0, (b) => {
    shapes.push(b.x.shape);
    assertEquals(b.y.shape, [b.records.length, 1]);
  });
  assertEquals(shapes, [[8, 32, 32, 3], [8, 32, 32, 3], [4, 32, 32, 3]]);
  await p.forEachBatch(1, () => {});
  assertEquals(p.cache.stats.decoded, 20);
});

Deno.test("real data: pipeline: one seed gives the same batches twice; epochs and seeds differ", async () => {
  const { sample } = await realData();
  const a = await pipeline(sample, 1).prepare();
  const b = await pipeline(sample, 1).prepare();
  const e0 = await epochData(a, 0);
  assertEquals(await epochData(b, 0), e0);
  assertNotEquals(await epochData(a, 1), e0);
  assertNotEquals(await epochData(await pipeline(sample, 2).prepare(), 0), e0);
});

Deno.test("real data: pipeline: no tensors leak across epochs", async () => {
  const { sample } = await realData();
  const p = await pipeline(sample).prepare();
  await p.forEachBatch(0, () => {});
  const after1 = tf.memory().numTensors;
  await p.forEachBatch(1, () => {});
  await p.forEachBatch(2, () => {});
  assertEquals(tf.memory().numTensors, after1);
});

Deno.test("real data: pipeline: unreadable images are skipped and reported, the rest still batch", async () => {
  const { sample } = await realData();
  await using dir = await tempDir();
  const broken = await writeBrokenImages(dir.path);
  const bad = Object.values(broken).map((path, i) => ({ ...sample[0], imageId: `bad${i}`, path }));
  const p = await pipeline([...sample.slice(0, 3), ...bad]).prepare();
  assertEquals(p.records.length, 3);
  assertEquals(p.skipped.length, bad.length);
  assertEquals(p.skipped.every((s) => s.reason === "bad-image" && s.detail.length > 0), true);
  let n = 0;
  await p.forEachBatch(0, (b) => void (n += b.records.length));
  assertEquals(n, 3);
});

Deno.test("real data: pipeline: the same data root under two paths gives identical augmented batches", async () => {
  const { sample } = await realData();
  // a root's location must not shape a result: seeds come from an image's id in its dataset
  await using a = await tempDir();
  await using b = await tempDir();
  const images = sample.slice(0, 6);
  const copyTo = async (root: string) => {
    await Deno.mkdir(join(root, "somewhere", "deeper"), { recursive: true });
    return await Promise.all(images.map(async (r) => {
      const path = join(root, "somewhere", "deeper", r.imageId);
      await Deno.copyFile(r.path, path);
      return { ...r, path };
    }));
  };
  const [ra, rb] = [await copyTo(a.path), await copyTo(join(b.path, "x"))];
  const [pa, pb] = [await pipeline(ra).prepare(), await pipeline(rb).prepare()];
  for (const epoch of [0, 1]) assertEquals(await epochData(pb, epoch), await epochData(pa, epoch));
});
