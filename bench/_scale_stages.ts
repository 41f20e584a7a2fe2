/**
 * The stages `bench/scale.ts` times in one process, on the data root of `XRAY_DATA_DIR`. Each
 * stage calls the library as chapter 2 (and chapters 4–6 around it) do; DenseNet121 is replaced
 * by a tiny model of the same interface (a 1024-wide feature map, `avg_pool`, `predictions`), so
 * what is timed is the data path, not the network.
 * @module
 */
import { join } from "node:path";
import { initBackend, tf } from "../lib/backend/mod.ts";
import { cacheDir, type Profile } from "../lib/config.ts";
import { STUDY_AUGMENTATION } from "../lib/data/augment.ts";
import { ImageCache } from "../lib/data/cache.ts";
import { loadNih, type NihRecord, nihSplit } from "../lib/data/datasets/mod.ts";
import { assertNoLeakage, excludeTrainingPatients } from "../lib/data/leakage.ts";
import { BatchPipeline } from "../lib/data/pipeline.ts";
import { labelVector, limitByPatient, NIH_FINDINGS, patientKey } from "../lib/data/record.ts";
import { keepStoredAtLeast } from "../lib/data/resolution.ts";
import { bootstrapAuc } from "../lib/eval/bootstrap.ts";
import { STUDY_HYPER } from "../lib/experiments/hyper.ts";
import { HEAD_DENSE, HEAD_POOL } from "../lib/models/backbone.ts";
import {
  dataPart,
  readCard,
  trainedOnList,
  trainedRecords,
  writeCard,
} from "../lib/models/card.ts";
import { extractFeatures, FeatureBatches } from "../lib/train/features.ts";
import { binaryCrossEntropy } from "../lib/train/loss.ts";
import { trainModel } from "../lib/train/loop.ts";
import { predict } from "../lib/train/predict.ts";

/** One stage's measurements. */
export interface StageResult {
  readonly stage: string;
  readonly seconds: number;
  /** Peak resident memory during the stage (VmHWM, reset when it began). */
  readonly peakRssMiB: number;
  readonly rssAfterMiB: number;
  readonly heapUsedAfterMiB: number;
  readonly [detail: string]: unknown;
}

const MIB = 2 ** 20;
const BOOTSTRAP_RESAMPLES = 20;

/** Run every stage at `profile`'s side and batch; returns the measurements. */
export async function runStages(profile: Profile) {
  const backend = await initBackend();
  const side = profile.imageSide;
  const stages: StageResult[] = [];
  const began = performance.now();
  async function stage<T>(
    name: string,
    work: () => Promise<T> | T,
    details: (value: T) => Record<string, unknown> = () => ({}),
  ): Promise<T> {
    resetPeak();
    const t0 = performance.now();
    const value = await work();
    const seconds = (performance.now() - t0) / 1000;
    const memory = Deno.memoryUsage();
    const result = {
      stage: name,
      seconds: round(seconds, 2),
      peakRssMiB: peakRssMiB(),
      rssAfterMiB: Math.round(memory.rss / MIB),
      heapUsedAfterMiB: Math.round(memory.heapUsed / MIB),
      tensors: tf.memory().numTensors,
      ...details(value),
    };
    stages.push(result);
    console.error(`[scale] ${JSON.stringify(result)}`);
    return value;
  }

  // 1. the label file, the official lists and the images folder, joined
  const nih = await stage("list", () => loadNih(), (n) => ({
    rows: n.rows,
    records: n.records.length,
  }));
  // 2. images stored at ≥ the side (a header read per file)
  const { kept } = await stage(
    "filter",
    () => keepStoredAtLeast(nih.records, side),
    (k) => ({ kept: k.kept.length, smaller: k.smaller.length }),
  );
  // 3. as nihStudyData: the profile's budget, then train/validation by patient, official test
  const { records, split } = await stage(
    "split",
    () => {
      const records = limitByPatient(kept, profile.maxNihImages, 1, (r) => r.officialSplit);
      return { records, split: nihSplit(records, { seed: 1 }) };
    },
    ({ split }) => ({ train: split.train.length, val: split.val.length, test: split.test.length }),
  );
  // 4. the model card's trained-on list, and the leakage guard later chapters run on it
  const cardDir = join(cacheDir(), "card");
  await stage("guard+card", async () => {
    const trained = [...split.train, ...split.val];
    assertNoLeakage(trained, split.test, "scale: test");
    await writeCard(cardDir, {
      card: "xray-transfer/model-card@1",
      name: "scale-tiny",
      arch: "densenet121",
      side,
      preprocessing: "bench",
      classes: NIH_FINDINGS,
      init: "scratch",
      data: {
        dataset: "synthetic",
        split: "official",
        train: dataPart(split.train),
        validation: dataPart(split.val),
      },
      trainedOn: trainedOnList(trained),
      profile: profile.name,
      seed: 1,
      backend: backend.description,
      training: { epochs: 1, bestEpoch: 0, updates: 0 },
      createdAt: new Date().toISOString(),
    });
    const fromCard = trainedRecords(await readCard(cardDir));
    assertNoLeakage(fromCard, split.test, "scale: test from the card");
    return excludeTrainingPatients(records, fromCard).length;
  }, (unseen) => ({
    unseen,
    cardBytes: Deno.statSync(join(cardDir, "card.json")).size,
  }));

  // 5. decoding, as trainArm: three pipelines sharing one image cache
  const cache = new ImageCache(side);
  const labels = (r: NihRecord) => labelVector(r, NIH_FINDINGS);
  const pipe = (rs: readonly NihRecord[], train: boolean, batchSize = profile.batchSize) =>
    new BatchPipeline(rs, {
      side,
      model: "densenet121",
      batchSize: train ? batchSize : 2 * batchSize,
      labels,
      augment: train ? STUDY_AUGMENTATION : false,
      seed: 1,
      cache,
    });
  const [train, val, test] = await stage("decode", async () => [
    await pipe(split.train, true).prepare("decode train"),
    await pipe(split.val, false).prepare("decode validation"),
    await pipe(split.test, false).prepare("decode test"),
  ], () => ({ cache: cache.stats, cacheCapacity: cache.capacity }));

  // 6. the tiny model's own cost per image (to take it out of the epoch's)
  const model = tinyModel(side, NIH_FINDINGS.length);
  const stepSeconds = await stage(
    "model-step",
    () => stepCost(model, side, profile.batchSize),
    (s) => ({ msPerImage: round(1000 * s, 3) }),
  );

  // 7. one full epoch: augmented batches, training steps, validation, checkpoint
  const checkpointDir = join(cacheDir(), "run");
  const trainOptions = {
    model,
    train,
    validation: val,
    epochs: 1,
    learningRate: STUDY_HYPER.densenet121.learningRate,
    weightDecay: STUDY_HYPER.densenet121.weightDecay,
    schedule: { lrPatience: STUDY_HYPER.densenet121.lrPatience },
    checkpointDir,
    config: { bench: "scale" },
    label: "scale-tiny",
  };
  await stage("epoch", () => trainModel(trainOptions), (r) => ({
    trainImages: train.epochLength,
    valImages: val.records.length,
    trainImagesPerSecond: round(r.imagesPerSecond, 1),
    pipelineMsPerImage: round(1000 / r.imagesPerSecond - 1000 * stepSeconds, 2),
    valAuc: round(r.bestValAuc, 3),
    cache: cache.stats,
  }));
  // 8. the same run again: picked up from its checkpoint, not trained again
  await stage("resume", () => trainModel(trainOptions), (r) => ({
    resumedAfterEpoch: r.resumedAfterEpoch,
    epochsRun: r.history.length,
  }));
  // 9. test predictions (what the results' AUCs and intervals are computed from)
  const predictions = await stage(
    "predict",
    () => predict(model, test, { label: "test" }),
    (p) => ({
      images: p.records.length,
    }),
  );

  // 10. the feature cache, over every image: computed, then read back
  const all = await pipe(records, false).prepare("all images");
  await stage("features", async () => {
    const first = await extractFeatures(model, all, { label: "features" });
    const again = await extractFeatures(model, all, { label: "features (cached)" });
    const heads = new FeatureBatches(records, again, { batchSize: 64, labels, seed: 1 });
    let batches = 0;
    for await (const b of heads.batches(0)) {
      tf.dispose([b.x, b.y]);
      batches++;
    }
    return {
      computed: first.computed,
      fromCache: records.length - again.computed,
      batches,
      dim: again.dim,
    };
  }, (f) => ({ ...f, cacheFileMiB: round(fileBytes(join(cacheDir(), "features")) / MIB, 1) }));

  // 11. the bootstrap behind every reported AUC: patient resamples of the test set, one finding
  await stage("bootstrap", () => {
    const c = NIH_FINDINGS.indexOf("Infiltration");
    return bootstrapAuc(
      predictions.scores.map((s) => s[c]),
      predictions.labels.map((l) => l[c]),
      { groups: predictions.records.map(patientKey), resamples: BOOTSTRAP_RESAMPLES, seed: 0 },
    );
  }, (ci) => ({ resamples: BOOTSTRAP_RESAMPLES, auc: round(ci.auc, 3) }));

  cache.close();
  model.dispose();
  const totalSeconds = (performance.now() - began) / 1000;
  return {
    backend: backend.description,
    side,
    stages,
    summary: {
      images: nih.records.length,
      seconds: round(totalSeconds, 1),
      peakRssMiB: Math.max(...stages.map((s) => s.peakRssMiB)),
      tensorsLeft: tf.memory().numTensors,
    },
  };
}

/**
 * DenseNet121's interface at a fraction of its cost: 224 px in, a 7×7×1024 feature map (average
 * pooling by 32, then a 1×1 convolution), `avg_pool`, a sigmoid `predictions` layer.
 */
function tinyModel(side: number, outputs: number): tf.LayersModel {
  const input = tf.input({ shape: [side, side, 3] });
  const pooled = tf.layers.averagePooling2d({ poolSize: 32, strides: 32 }).apply(input);
  const features = tf.layers.conv2d({ filters: 1024, kernelSize: 1, activation: "relu" })
    .apply(pooled);
  const gap = tf.layers.globalAveragePooling2d({ name: HEAD_POOL }).apply(features);
  const out = tf.layers.dense({ units: outputs, activation: "sigmoid", name: HEAD_DENSE })
    .apply(gap) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "scale_tiny" });
}

// Seconds per image of the tiny model's forward and backward pass, on a fixed batch.
async function stepCost(model: tf.LayersModel, side: number, batch: number): Promise<number> {
  const x = tf.randomUniform([batch, side, side, 3]);
  const y = tf.zeros([batch, model.outputs[0].shape[1]!]) as tf.Tensor2D;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    const { value, grads } = tf.variableGrads(
      () => binaryCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
      variables,
    );
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  await step();
  const steps = 10, t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t0) / 1000 / (steps * batch);
  tf.dispose([x, y]);
  return seconds;
}

function resetPeak(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5"); // Linux: restart VmHWM from now
  } catch { /* not Linux: the peak is then the process's */ }
}

function peakRssMiB(): number {
  try {
    const kb = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s*(\d+)/)?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch { /* not Linux */ }
  return Math.round(Deno.memoryUsage().rss / MIB);
}

function fileBytes(dir: string): number {
  let total = 0;
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile) total += Deno.statSync(join(dir, e.name)).size;
  }
  return total;
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
