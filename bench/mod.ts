/**
 * `deno task bench`: throughput benchmarks, one JSON line each on stdout.
 * 1. The image pipeline at 224 px on the COVID-19 images: decode + resize (cold, from disk),
 *    then augment + normalise + tensor (warm, from the in-memory cache), images/s.
 * 2. DenseNet121 and ResNet50 at 128 and 224 px: inference and training images/s and peak
 *    memory, on wasm and (when provisioned) native TensorFlow, with 1 and 2 threads or cores
 *    (one process per line, see `bench/model.ts`). Training at 224 px on wasm uses batch 2, the
 *    most the 4 GiB wasm heap holds; larger batches are reached by gradient accumulation,
 *    which costs the same per image. Native TensorFlow trains batch 16 at 224 px.
 * `XRAY_BENCH_MODELS=0` skips part 2; `XRAY_BENCH_THREADS=2` runs one thread count.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { initBackend, tf } from "../lib/backend/mod.ts";
import { PROJECT_ROOT } from "../lib/config.ts";
import { loadCovid } from "../lib/data/covid.ts";
import { STUDY_AUGMENTATION } from "../lib/data/augment.ts";
import { BatchPipeline } from "../lib/data/pipeline.ts";

const backend = await initBackend();
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

if (Deno.env.get("XRAY_BENCH_MODELS") !== "0") {
  const cores = (Deno.env.get("XRAY_BENCH_THREADS") ?? "1,2").split(",").map(Number);
  const native = existsSync(
    join(
      PROJECT_ROOT,
      ".tools/native/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node",
    ),
  );
  for (const backendName of native ? ["wasm", "tensorflow"] : ["wasm"]) {
    for (const arch of ["densenet121", "resnet50"]) {
      for (const [side, batch] of [[128, 8], [224, backendName === "wasm" ? 2 : 16]]) {
        for (const n of cores) {
          // wasm: its thread pool; native TensorFlow: the cores the process may use (taskset)
          const script = new URL("./model.ts", import.meta.url).pathname;
          const deno = [Deno.execPath(), "run", "-A", script, arch, `${side}`, `${batch}`, `${n}`];
          const argv = backendName === "tensorflow" && n < navigator.hardwareConcurrency
            ? ["taskset", "-c", Array.from({ length: n }, (_, i) => i).join(","), ...deno]
            : deno;
          const child = await new Deno.Command(argv[0], {
            args: argv.slice(1),
            env: { XRAY_BACKEND: backendName },
            stdout: "piped",
            stderr: "inherit",
          }).output().catch((e) => ({
            success: false,
            code: -1,
            stdout: new TextEncoder().encode(String(e)),
          }));
          const line = new TextDecoder().decode(child.stdout).trim().split("\n").pop();
          console.log(
            child.success && line ? line : JSON.stringify({
              bench: "model",
              model: arch,
              side,
              batch,
              backend: backendName,
              cores: n,
              error: `exit ${child.code}`,
            }),
          );
        }
      }
    }
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
