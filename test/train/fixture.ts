/**
 * A small, real training run for the engine tests: DenseNet121 from scratch at 32 px on a few
 * COVID-19 collection images, augmented and oversampled, 3 epochs with checkpoints. Run as a
 * script (`deno run -A test/train/fixture.ts <checkpoint dir> [kill epoch:batch]`) it can be
 * made to die mid-epoch, as a killed process would.
 * @module
 */
import { join } from "node:path";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { STUDY_AUGMENTATION } from "../../lib/data/augment.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { BatchPipeline, oversampleMinority } from "../../lib/data/pipeline.ts";
import type { CovidRecord } from "../../lib/data/datasets/mod.ts";
import { createModel } from "../../lib/models/build.ts";
import { trainModel, type TrainResult } from "../../lib/train/loop.ts";
import { DATA_ROOT } from "../helpers.ts";

/** Train the fixture run; `kill` = [epoch, batch] after which the process exits with code 3. */
export async function fixtureRun(
  checkpointDir: string,
  kill?: [number, number],
): Promise<{ result: TrainResult; weights: string }> {
  await initBackend();
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  const labels = (r: CovidRecord) => [r.covid ? 1 : 0];
  const pick = (covidFlag: boolean, n: number, skip = 0) =>
    covid.records.filter((r) => r.covid === covidFlag).slice(skip, skip + n);
  const train = await new BatchPipeline([...pick(true, 8), ...pick(false, 3)], {
    side: 32,
    model: "densenet121",
    batchSize: 4,
    labels,
    augment: STUDY_AUGMENTATION,
    sampler: oversampleMinority((r) => r.covid),
    seed: 5,
  }).prepare("fixture train");
  const validation = await new BatchPipeline([...pick(true, 4, 8), ...pick(false, 4, 3)], {
    side: 32,
    model: "densenet121",
    batchSize: 8,
    labels,
    seed: 5,
    cache: train.cache,
  }).prepare("fixture validation");
  const model = await createModel({
    arch: "densenet121",
    side: 32,
    outputs: 1,
    init: "scratch",
    seed: 5,
  });
  const result = await trainModel({
    model,
    train,
    validation,
    epochs: 3,
    learningRate: 1e-3,
    weightDecay: 1e-5,
    accumulate: 2,
    schedule: { lrPatience: 1, lrFactor: 0.5 },
    checkpointDir,
    config: { fixture: 1 },
    label: "fixture",
    afterBatch: kill
      ? (epoch, batch) => {
        if (epoch === kill[0] && batch === kill[1]) Deno.exit(3);
      }
      : undefined,
  });
  const weights = await weightsHash(model);
  model.dispose();
  return { result, weights };
}

/** SHA-256 of every weight's values, in layer order. */
export async function weightsHash(model: tf.LayersModel): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-256",
    new Uint8Array(
      model.weights.flatMap((w) =>
        Array.from(new Uint8Array((w.read().dataSync() as Float32Array).buffer))
      ),
    ),
  );
  return Array.from(new Uint8Array(hash)).map((b) => b.toString(16).padStart(2, "0")).join("");
}

if (import.meta.main) {
  const [dir, kill] = Deno.args;
  const at = kill?.split(":").map(Number) as [number, number] | undefined;
  const { weights } = await fixtureRun(dir, at);
  console.log(weights);
  Deno.exit(0); // the threaded wasm backend's workers would keep the process alive
}
