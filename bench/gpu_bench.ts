/**
 * WebGPU on a GPU, in one run (issue 25, part 2), bundled into one file by `bash bench/gpu.sh
 * pack` and run there by `bash bench/gpu.sh run`. Writes one JSON file, saved after every part so
 * that a run cut short still reports what it measured:
 * 1. the adapter (name, whether it is a software one, whether it has timestamp queries);
 * 2. the convolution filter gradient, stock kernel against the project's split-K kernel, on
 *    DenseNet121's layers at batch 16 and 64;
 * 3. the kernel-time profile of one DenseNet121 training step at 224 px, batch 16 (top 10);
 * 4. training and inference images/s of DenseNet121 and ResNet50 at 224 px, batch 16 and 64
 *    (random weights: the same cost as trained ones);
 * 5. PyTorch on the same GPU, from `bench/gpu_reference.py` (run before this, when present);
 * 6. chapter 3's fine-tuning of DenseNet121 from ImageNet on COVID-19 patient fold 0 at 224 px
 *    (images and weights carried by `bench/gpu_pack.ts`), a few epochs, with its test AUC.
 *
 * `--parts profile,models` runs only those; `--budget <s>` is the time the run may take (parts that
 * would not fit are skipped, and say so); `--epochs` the fine-tuning's epochs (default 3).
 * `--quick` runs every part at toy sizes (32 px, batch 2–4, a few images), to test the script on a
 * software adapter (Mesa's llvmpipe): `XRAY_BACKEND=webgpu` is implied.
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { backendInfo, initBackend, tf } from "../lib/backend/mod.ts";
import { webGpuAdapter } from "../lib/backend/webgpu.ts";
import { STUDY_AUGMENTATION } from "../lib/data/augment.ts";
import { ImageCache } from "../lib/data/cache.ts";
import type { GreyImage } from "../lib/data/images.ts";
import type { ModelName } from "../lib/data/normalise.ts";
import { BatchPipeline, oversampleMinority } from "../lib/data/pipeline.ts";
import { resizeGrey } from "../lib/data/preprocess.ts";
import type { XrayRecord } from "../lib/data/record.ts";
import { bootstrapAuc } from "../lib/eval/bootstrap.ts";
import { STUDY_HYPER } from "../lib/experiments/hyper.ts";
import { createModel } from "../lib/models/build.ts";
import { trainModel } from "../lib/train/loop.ts";
import { predict } from "../lib/train/predict.ts";
import { fromHalf } from "./_float16.ts";
import { modelSpeed, trainStepOnce } from "./_model_speed.ts";
import { compareFilterGradient, DENSENET_LAYERS } from "./webgpu_kernels.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string", default: "gpu.json" },
    pack: { type: "string", default: ".gpu" },
    torch: { type: "string" },
    quick: { type: "boolean", default: false },
    // seconds this run may take; parts that would not fit are skipped, and say so
    budget: { type: "string", default: "480" },
    epochs: { type: "string", default: "3" },
    // which parts to run (a second run after fixes may want only some)
    parts: { type: "string", default: "filterGradient,profile,models,finetune" },
  },
});
const chosen = new Set(args.values.parts.split(","));
const quick = args.values.quick;
const started = performance.now();
const budgetMs = Number(args.values.budget) * 1000;
const side = quick ? 32 : 224;
const batches = quick ? [2, 4] : [16, 64];

const report: Record<string, unknown> = {
  bench: "gpu",
  generatedBy: "bench/gpu_bench.ts",
  quick,
  side,
  deno: Deno.version.deno,
  startedAt: new Date().toISOString(),
};
const save = () => Deno.writeTextFile(args.values.out, JSON.stringify(report, null, 2) + "\n");

/** Run one part unless too little time is left; its result or error goes into the report. */
async function part(name: string, needsSeconds: number, work: () => Promise<unknown>) {
  if (!chosen.has(name)) return;
  const left = (budgetMs - (performance.now() - started)) / 1000;
  if (left < needsSeconds) {
    report[name] = { skipped: `${Math.round(left)} s left, needs about ${needsSeconds}` };
  } else {
    const t0 = performance.now();
    try {
      report[name] = { ...(await work() as object), seconds: secs(performance.now() - t0) };
    } catch (e) {
      report[name] = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }
  console.error(`[gpu] ${name}: ${JSON.stringify(report[name]).slice(0, 400)}`);
  await save();
}

// 1. the adapter
const adapter = await webGpuAdapter();
// deno-lint-ignore no-explicit-any
const gpuAdapter = await (navigator as any).gpu?.requestAdapter({
  powerPreference: "high-performance",
});
report.adapter = adapter
  ? { ...adapter, timestampQuery: Boolean(gpuAdapter?.features?.has("timestamp-query")) }
  : { error: "no WebGPU adapter (see bench/gpu.sh: Vulkan loader, VK_DRIVER_FILES)" };
await save();
if (!adapter) Deno.exit(1);

// 2. the filter-gradient kernels (before the backend starts: it takes the stock kernel first)
await part("filterGradient", 30, async () => {
  const shapes = quick
    ? [{ batch: 2, side: 8, inC: 8, outC: 8, k: 3, stride: 1 }]
    : [...DENSENET_LAYERS, ...DENSENET_LAYERS.map((s) => ({ ...s, batch: 64 }))];
  return { layers: await compareFilterGradient(shapes) };
});

const backend = await initBackend({ backend: "webgpu" });
report.backend = backend.description;

// 3. where one DenseNet121 training step spends its GPU time
await part("profile", 60, async () => {
  const batch = batches[0];
  const model = await createModel({ arch: "densenet121", side, outputs: 14, init: "scratch" });
  try {
    const step = trainStepOnce(model, side, batch);
    await step(); // compile the pipelines first
    const t0 = performance.now();
    const info = await tf.profile(step);
    const wallMs = performance.now() - t0;
    const byKernel = new Map<string, { ms: number; calls: number }>();
    let timed = 0, untimed = 0;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : undefined;
      if (ms === undefined) untimed++;
      else timed++;
      const row = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      row.ms += ms ?? 0;
      row.calls++;
      byKernel.set(k.name, row);
    }
    const totalMs = [...byKernel.values()].reduce((a, r) => a + r.ms, 0);
    const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)
      .map(([kernel, r]) => ({
        kernel,
        ms: round2(r.ms),
        share: totalMs ? Number((r.ms / totalMs).toFixed(3)) : null,
        calls: r.calls,
      }));
    return {
      model: "densenet121",
      side,
      batch,
      kernels: info.kernels.length,
      kernelTimes: untimed ? `${timed} of ${timed + untimed} kernels timed` : "all timed",
      gpuMs: round2(totalMs),
      wallMs: Math.round(wallMs),
      top,
    };
  } finally {
    model.dispose();
  }
});

// 4. training and inference speed
await part("models", 120, async () => {
  const rows = [];
  for (const arch of ["densenet121", "resnet50"] as ModelName[]) {
    for (const batch of batches) {
      const left = (budgetMs - (performance.now() - started)) / 1000;
      if (left < 90) {
        rows.push({ model: arch, batch, skipped: `${Math.round(left)} s left` });
        continue;
      }
      const model = await createModel({ arch, side, outputs: 14, init: "scratch" });
      try {
        const s = await modelSpeed(model, side, batch, quick ? { infer: 1, train: 1 } : undefined);
        rows.push({
          model: arch,
          side,
          batch,
          train_images_per_s: round2(s.trainImagesPerSecond),
          infer_images_per_s: round2(s.inferImagesPerSecond),
          train_step_s: round2(s.trainSeconds),
        });
      } catch (e) {
        rows.push({ model: arch, batch, error: String(e) });
      } finally {
        model.dispose();
      }
      await save();
    }
  }
  return { rows, tensorsLeft: tf.memory().numTensors };
});

// 5. PyTorch on the same GPU (run by bench/gpu.sh before this process)
if (args.values.torch) {
  try {
    report.pytorch = JSON.parse(await Deno.readTextFile(args.values.torch));
  } catch (e) {
    report.pytorch = { missing: (e as Error).message };
  }
  await save();
}

// 6. chapter 3's fine-tuning, one split
await part("finetune", 120, () => fineTune(Number(args.values.epochs)));

report.totalSeconds = secs(performance.now() - started);
await save();
console.error(`[gpu] wrote ${args.values.out}`);
Deno.exit(0); // WebGPU's device would keep the process alive

/** A record of the carried COVID-19 images, its pixels addressed by `path`. */
interface PackRecord extends XrayRecord {
  readonly covid: boolean;
}

async function fineTune(epochs: number) {
  const pack = args.values.pack;
  const meta = JSON.parse(await Deno.readTextFile(join(pack, "covid224.json"))) as {
    side: number;
    scale: string;
    images: { imageId: string; patientId: string; covid: boolean; part: string }[];
  };
  const pixels = await Deno.readFile(join(pack, "covid224.bin"));
  const stored = meta.side * meta.side;
  if (pixels.length !== meta.images.length * stored) {
    throw new Error(
      `${pack}/covid224.bin: ${pixels.length} bytes for ${meta.images.length} images`,
    );
  }
  const records: Record<string, PackRecord[]> = { train: [], val: [], test: [] };
  meta.images.forEach((m, i) =>
    records[m.part].push({
      source: "covid-chestxray",
      imageId: m.imageId,
      path: `pack:${i}`,
      patientId: m.patientId,
      view: "",
      findings: [],
      findingText: "",
      labels: m.covid ? ["COVID-19"] : [],
      covid: m.covid,
    })
  );
  if (quick) {
    // a few images of each class per part, enough for an AUC
    for (const part of ["train", "val", "test"]) {
      const rs = records[part];
      records[part] = [
        ...rs.filter((r) => r.covid).slice(0, 6),
        ...rs.filter((r) => !r.covid).slice(0, 4),
      ];
    }
  }
  // the carried pixels are what the library's decoder gave at 224 px (resized down for --quick)
  const decode = (path: string, size: number): Promise<GreyImage> => {
    const i = Number(path.slice("pack:".length));
    const data = pixels.subarray(i * stored, (i + 1) * stored);
    return Promise.resolve({
      side: size,
      data: size === meta.side ? data : resizeGrey(data, meta.side, meta.side, size),
    });
  };
  const cache = new ImageCache(side, { decode });
  const labels = (r: PackRecord) => [r.covid ? 1 : 0];
  const batch = quick ? 4 : 16;
  const pipe = (rs: readonly PackRecord[], train: boolean) =>
    new BatchPipeline(rs, {
      side,
      model: "densenet121",
      batchSize: train ? batch : 2 * batch,
      labels,
      augment: train ? STUDY_AUGMENTATION : false,
      sampler: train ? oversampleMinority((r: PackRecord) => r.covid) : undefined,
      seed: 0,
      cache,
    }).prepare(`pack ${train ? "train" : "eval"}`);
  const [train, val, test] = [
    await pipe(records.train, true),
    await pipe(records.val, false),
    await pipe(records.test, false),
  ];
  Deno.env.set("XRAY_DENSENET121_WEIGHTS", await widenWeights(join(pack, "densenet121")));
  const model = await createModel({
    arch: "densenet121",
    side,
    outputs: 1,
    init: "imagenet",
    seed: 0,
  });
  const hyper = STUDY_HYPER.densenet121;
  try {
    const result = await trainModel({
      model,
      train,
      validation: val,
      epochs,
      learningRate: hyper.learningRate,
      weightDecay: hyper.weightDecay,
      schedule: { lrPatience: hyper.lrPatience },
      label: "covid-tuned-densenet121-imagenet-s0",
    });
    const p = await predict(model, test, { label: "test" });
    const scores = p.scores.map((s) => s[0]), y = p.labels.map((l) => l[0]);
    const ci = bootstrapAuc(scores, y, {
      groups: p.records.map((r) => r.patientId),
      resamples: 2000,
      seed: 0,
    });
    return {
      arm: "DenseNet121, ImageNet start (weights carried in half precision), fine-tuned whole",
      data: meta.scale,
      split: 0,
      side,
      batch,
      images: {
        train: train.records.length,
        perEpoch: train.epochLength,
        val: val.records.length,
        test: test.records.length,
      },
      epochs: result.history.map((h) => ({
        epoch: h.epoch + 1,
        trainLoss: round3(h.trainLoss),
        valLoss: round3(h.valLoss),
        valAuc: round3(h.valAuc),
        seconds: round2(h.seconds),
      })),
      bestEpoch: result.bestEpoch + 1,
      trainImagesPerSecond: round2(result.imagesPerSecond),
      testAuc: round3(ci.auc),
      testAuc95: [round3(ci.lo), round3(ci.hi)],
      backend: backendInfo()?.description,
    };
  } finally {
    model.dispose();
    cache.close();
  }
}

// The carried half-precision weights as a float32 TF.js folder (one shard), for createModel.
async function widenWeights(dir: string): Promise<string> {
  const model = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
  const halves = await Deno.readFile(join(dir, "weights.f16"));
  const h = new Uint16Array(halves.buffer, halves.byteOffset, halves.length / 2);
  const floats = Float32Array.from(h, fromHalf);
  const weights = model.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
  const out = await Deno.makeTempDir({ prefix: "xray-densenet121-" });
  model.weightsManifest = [{ paths: ["weights.bin"], weights }];
  await Deno.writeFile(join(out, "weights.bin"), new Uint8Array(floats.buffer));
  await Deno.writeTextFile(join(out, "model.json"), JSON.stringify(model));
  return join(out, "model.json");
}

function secs(ms: number): number {
  return Math.round(ms / 10) / 100;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
