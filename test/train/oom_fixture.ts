/**
 * Runs out of wasm memory on purpose: DenseNet121 at 224 px with 48 images at once. Used by
 * `oom_test.ts` in a child process (the wasm module cannot continue after an abort).
 * @module
 */
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { createModel } from "../../lib/models/build.ts";
import { trainModel } from "../../lib/train/loop.ts";
import type { Batch } from "../../lib/data/pipeline.ts";

await initBackend({ backend: "wasm" });
const model = await createModel({ arch: "densenet121", side: 224, outputs: 1, init: "scratch" });
const source = {
  batchesPerEpoch: 1,
  async *batches(): AsyncGenerator<Batch<never>> {
    yield { x: tf.zeros([48, 224, 224, 3]), y: tf.zeros([48, 1]), records: [] };
  },
};
try {
  await trainModel({
    model,
    train: source,
    validation: source,
    epochs: 1,
    learningRate: 1e-4,
    schedule: { lrPatience: 1 },
  });
  console.log("no error");
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
}
Deno.exit(0);
