/**
 * The feature cache: computed once per image and weights, recomputed when the weights change;
 * and what it holds is the model's own pooled output for the image.
 */
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { BatchPipeline } from "../../lib/data/pipeline.ts";
import { HEAD_POOL } from "../../lib/models/backbone.ts";
import { createModel } from "../../lib/models/build.ts";
import { decodeGrey } from "../../lib/data/images.ts";
import { toModelInput } from "../../lib/data/normalise.ts";
import { extractFeatures, FeatureBatches } from "../../lib/train/features.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

await initBackend();

Deno.test("real data: features: cached per image and weights; other weights miss the cache", async () => {
  await using dir = await tempDir();
  Deno.env.set("XRAY_CACHE_DIR", dir.path);
  try {
    const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
    const records = covid.records.slice(0, 6);
    const pipeline = await new BatchPipeline(records, {
      side: 32,
      model: "densenet121",
      batchSize: 4,
      labels: (r) => [r.covid ? 1 : 0],
      seed: 1,
    }).prepare();
    const model = await createModel({
      arch: "densenet121",
      side: 32,
      outputs: 1,
      init: "scratch",
      seed: 1,
    });
    const first = await extractFeatures(model, pipeline);
    assertEquals([first.computed, first.dim, first.byPath.size], [6, 1024, 6]);
    // an independent oracle: the model's own pooling layer on the image decoded apart from the
    // pipeline (a cache that only agreed with itself would pass the checks below)
    const pooling = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(HEAD_POOL).output as tf.SymbolicTensor,
    });
    const input = toModelInput(await decodeGrey(records[0].path, 32), "densenet121");
    const direct = tf.tidy(() => pooling.predict(tf.tensor4d(input, [1, 32, 32, 3])) as tf.Tensor);
    const expected = await direct.data();
    direct.dispose();
    const got = first.byPath.get(records[0].path)!;
    const worst = Math.max(...expected.map((v, i) => Math.abs(v - got[i])));
    if (!(worst < 1e-4)) throw new Error(`features differ from the model's pooling by ${worst}`);
    const again = await extractFeatures(model, pipeline);
    assertEquals(again.computed, 0);
    // every row read back from the file equals the row computed
    for (const r of records) {
      assertEquals(Array.from(again.byPath.get(r.path)!), Array.from(first.byPath.get(r.path)!));
    }
    const other = await createModel({
      arch: "densenet121",
      side: 32,
      outputs: 1,
      init: "scratch",
      seed: 2,
    });
    assertEquals((await extractFeatures(other, pipeline)).computed, 6);
    // feature batches: vectors in, labels out
    const batches = new FeatureBatches(records, first, {
      batchSize: 4,
      labels: (r) => [r.covid ? 1 : 0],
      seed: 1,
    });
    let n = 0;
    for await (const b of batches.batches(0)) {
      assertEquals(b.x.shape[1], 1024);
      n += b.records.length;
      tf.dispose([b.x, b.y]);
    }
    assertEquals(n, 6);
    model.dispose();
    other.dispose();
  } finally {
    Deno.env.delete("XRAY_CACHE_DIR");
  }
});
