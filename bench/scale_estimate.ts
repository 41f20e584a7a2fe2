/**
 * How long a whole `paper` run takes, per backend, from measured per-image costs: the data
 * path's (`results/scale/scale.json`, from `bench/scale.ts`), and the networks' training and
 * inference images/s at 224 px (`deno task bench` lines for this CPU; `results/gpu/gpu.json`
 * where a GPU run of `bench/gpu.sh` exists; otherwise the earlier GPU measurement quoted below,
 * labelled as such). Chapter 2 dominates: three whole networks, 100 epochs each over the
 * official train_val list, validation every epoch; chapter 3 adds 35 fine-tuning runs on 531
 * images. Everything runs one after another, as the notebooks do: the data pipeline (single
 * JavaScript thread) does not overlap the network's steps, so its cost adds to theirs.
 *
 * ```sh
 * deno run -A bench/scale_estimate.ts --cpu results/scale/bench-cpu.jsonl   # → results/scale/estimate.json
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { PROFILES, PROJECT_ROOT } from "../lib/config.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    scale: { type: "string", default: join(PROJECT_ROOT, "results", "scale", "scale.json") },
    cpu: { type: "string", default: join(PROJECT_ROOT, "results", "scale", "bench-cpu.jsonl") },
    gpu: { type: "string", default: join(PROJECT_ROOT, "results", "gpu", "gpu.json") },
    out: { type: "string", default: join(PROJECT_ROOT, "results", "scale", "estimate.json") },
  },
});

/** Images/s of one network at 224 px; inference may be missing (then taken as training's). */
interface Rates {
  readonly train: number;
  readonly infer?: number;
}
interface Backend {
  readonly name: string;
  readonly source: string;
  readonly densenet121: Rates;
  readonly resnet50: Rates;
}

/**
 * The one measurement of this project on a GPU before `bench/gpu.sh` exists: an NVIDIA H200,
 * TensorFlow.js' WebGPU backend under Deno before the split-K filter-gradient kernel, and
 * PyTorch 2.11 on the same GPU; training only, 224 px, float32 (the workplace's GPU notes).
 */
const EARLIER_H200: Backend[] = [
  {
    name: "webgpu, H200, before split-K (batch 16)",
    source: "quoted: earlier H200 measurement, training only",
    densenet121: { train: 8.9 },
    resnet50: { train: 17.7 },
  },
  {
    name: "networks at PyTorch's H200 speed (batch 16), this data path",
    source: "quoted: earlier H200 measurement, training only",
    densenet121: { train: 304 },
    resnet50: { train: 677 },
  },
  {
    name: "webgpu at issue 25's targets (DenseNet121 150, ResNet50 150, inference 1,000)",
    source: "targets, not measurements",
    densenet121: { train: 150, infer: 1000 },
    resnet50: { train: 150, infer: 1000 },
  },
];

const profile = PROFILES.paper;
const scale = JSON.parse(await Deno.readTextFile(args.values.scale));
const full = scale.runs.find((r: { size: string }) => r.size === "full") ?? scale.runs.at(-1);
const stage = (name: string) => full.stages.find((s: { stage: string }) => s.stage === name);
const split = stage("split");
const epoch = stage("epoch");
const predictStage = stage("predict");
// the data path per image: an augmented batch (the epoch, the tiny model's step taken out) and a
// plain one (test predictions with the tiny model in: an upper bound)
const pipeTrainMs = epoch.pipelineMsPerImage;
const pipeEvalMs = (1000 * predictStage.seconds) / predictStage.images;
const decodeMs = scale.decodeMsPerImage.png1024.decodeToSideMs;
// one resampled AUC at the test set's size (the bootstrap stage: one finding, a few resamples)
const bootstrap = stage("bootstrap");
const resampleSeconds = bootstrap.seconds / bootstrap.resamples;
// chapter 2's resampled AUCs as it computes them now: a 95% interval per arm and finding on the
// test set, the pretraining gate's on validation (its size relative to test), paired
// differences of the 3 pairs of arms over the 14 findings (2 AUCs per resample)
const resampledAucs = profile.resamples * 14 * (3 + 3 * (split.val / split.test) + 3 * 2);
const statisticsSeconds = resampledAucs * resampleSeconds;
const headerMs = scale.decodeMsPerImage.png1024.headerMs;

const backends: Backend[] = [...cpuBackends(), ...gpuBackends()];
// chapter 3 fine-tunes 2 architectures × 3 starts × 5 splits, plus DenseNet121 without
// augmentation on the 5 splits: 20 DenseNet121 runs and 15 ResNet50 runs
const covid = { train: 510, val: 106, test: 106, densenetRuns: 20, resnetRuns: 15 };
const rows = backends.map((b) => {
  const arms: [Rates, string][] = [
    [b.densenet121, "densenet121"],
    [b.resnet50, "resnet50"],
    [b.resnet50, "resnet50 (scratch)"],
  ];
  const perImage = (r: Rates) => ({
    train: 1 / r.train + pipeTrainMs / 1000,
    infer: 1 / (r.infer ?? r.train) + pipeEvalMs / 1000,
  });
  let ch2 = 0; // seconds
  for (const [r] of arms) {
    const c = perImage(r);
    ch2 += profile.epochs * (split.train * c.train + split.val * c.infer) + split.test * c.infer;
  }
  const images = split.train + split.val + split.test;
  const dataPrep = images * (decodeMs + headerMs) / 1000; // once per chapter-2 process
  const dense = perImage(b.densenet121), res = perImage(b.resnet50);
  const ch3 = profile.tuneEpochs *
    (covid.densenetRuns * (covid.train * dense.train + covid.val * dense.infer) +
      covid.resnetRuns * (covid.train * res.train + covid.val * res.infer));
  const hours = (s: number) => Math.round((s / 3600) * 10) / 10;
  return {
    backend: b.name,
    source: b.source,
    chapter2Hours: hours(ch2 + dataPrep + statisticsSeconds),
    statisticsHours: hours(statisticsSeconds),
    chapter3Hours: hours(ch3),
    totalHours: hours(ch2 + dataPrep + statisticsSeconds + ch3),
    totalDays: Math.round(((ch2 + dataPrep + statisticsSeconds + ch3) / 86400) * 10) / 10,
    dataPathShare: Math.round(
      ((profile.epochs * 3 * (split.train * pipeTrainMs + split.val * pipeEvalMs) / 1000 +
        dataPrep) / (ch2 + dataPrep)) * 100,
    ) / 100,
  };
});

const report = {
  bench: "scale-estimate",
  generatedBy: "bench/scale_estimate.ts",
  assumptions: {
    chapter2: `3 networks × ${profile.epochs} epochs × (${split.train} training + ${split.val} ` +
      `validation images), ${split.test} test images each, no early stop`,
    chapter3: `${covid.densenetRuns} DenseNet121 and ${covid.resnetRuns} ResNet50 fine-tuning ` +
      `runs × ${profile.tuneEpochs} epochs × ` +
      `(${covid.train} oversampled training + ${covid.val} validation images)`,
    dataPathMsPerImage: {
      augmentedBatch: pipeTrainMs,
      plainBatch: round(pipeEvalMs),
      decode1024To224: decodeMs,
      header: headerMs,
    },
    statistics: `${Math.round(resampledAucs)} resampled AUCs in chapter 2 at ` +
      `${round(resampleSeconds * 1000)} ms each (bootstrap stage, ${split.test} test images)`,
    inference: "where only training was measured, inference is taken at the training rate " +
      "(an upper bound on its time)",
    cpu: scale.cpu,
  },
  rows,
};
await Deno.mkdir(join(args.values.out, ".."), { recursive: true });
await Deno.writeTextFile(args.values.out, JSON.stringify(report, null, 2) + "\n");
console.log("| backend | chapter 2 (h) | chapter 3 (h) | total (days) | data path share |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.chapter2Hours} | ${r.chapter3Hours} | ${r.totalDays} | ${r.dataPathShare} |`,
  );
}

function cpuBackends(): Backend[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(args.values.cpu);
  } catch {
    console.error(`no ${args.values.cpu}: run \`deno task bench > ${args.values.cpu}\` first`);
    return [];
  }
  const lines = text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    .filter((l) => l.bench === "model" && l.side === 224 && l.train_images_per_s);
  const byBackend = Map.groupBy(lines, (l) => `${l.backend}|${l.batch}|${l.threads ?? l.cores}`);
  return [...byBackend.values()].flatMap((ls) => {
    const d = ls.find((l) => l.model === "densenet121"), r = ls.find((l) => l.model === "resnet50");
    if (!d || !r) return [];
    return [{
      name: `${d.device} (batch ${d.batch})`,
      source: `deno task bench on ${scale.cpu}, ${d.cores} cores`,
      densenet121: { train: d.train_images_per_s, infer: d.infer_images_per_s },
      resnet50: { train: r.train_images_per_s, infer: r.infer_images_per_s },
    }];
  });
}

function gpuBackends(): Backend[] {
  try {
    const gpu = JSON.parse(Deno.readTextFileSync(args.values.gpu));
    const rows = gpu.models.rows.filter((r: { batch: number }) => r.batch === 16);
    const of = (m: string) => rows.find((r: { model: string }) => r.model === m);
    return [{
      name: `webgpu, ${gpu.adapter.description} (batch 16)`,
      source: "results/gpu/gpu.json (bench/gpu.sh)",
      densenet121: {
        train: of("densenet121").train_images_per_s,
        infer: of("densenet121").infer_images_per_s,
      },
      resnet50: {
        train: of("resnet50").train_images_per_s,
        infer: of("resnet50").infer_images_per_s,
      },
    }, ...EARLIER_H200.slice(1)];
  } catch {
    return EARLIER_H200;
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
