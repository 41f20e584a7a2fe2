/**
 * The convolution filter gradient on WebGPU: TensorFlow.js' stock kernel against this project's
 * split-K kernel, on the same inputs, one JSON line per layer shape (ms per call, result read
 * back, mean of 3 after a warm-up). Run by `deno task bench` when WebGPU is benchmarked, and by
 * `bench/gpu_bench.ts`; on a software adapter the numbers say nothing about a GPU, and the line
 * says which adapter it was.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { webGpuAdapter } from "../lib/backend/webgpu.ts";

/** One filter-gradient problem: input [batch, side, side, inC], filter k×k×inC×outC. */
export interface FilterGradientShape {
  readonly batch: number;
  readonly side: number;
  readonly inC: number;
  readonly outC: number;
  readonly k: number;
  readonly stride: number;
}

/** DenseNet121 layers at batch 16: a bottleneck 1×1, a growth 3×3, the 7×7 stride-2 stem. */
export const DENSENET_LAYERS: readonly FilterGradientShape[] = [
  { batch: 16, side: 56, inC: 128, outC: 128, k: 1, stride: 1 },
  { batch: 16, side: 28, inC: 128, outC: 32, k: 3, stride: 1 },
  { batch: 16, side: 112, inC: 3, outC: 64, k: 7, stride: 2 },
];

/**
 * Time both kernels on each shape. Must run before the project's kernels are registered (it
 * takes the stock kernel from the registry first); returns no rows without a WebGPU adapter.
 */
export async function compareFilterGradient(
  shapes: readonly FilterGradientShape[] = DENSENET_LAYERS,
): Promise<Record<string, unknown>[]> {
  const adapter = await webGpuAdapter();
  if (!adapter) return [];
  await import("@tensorflow/tfjs-backend-webgpu");
  await tf.setBackend("webgpu");
  await tf.ready();
  const stock = tf.getKernel("Conv2DBackpropFilter", "webgpu")!;
  const { registerWebGpuKernels } = await import("../lib/backend/_webgpu/mod.ts");
  registerWebGpuKernels();
  const ours = tf.getKernel("Conv2DBackpropFilter", "webgpu")!;
  if (ours === stock) {
    throw new Error("the project's kernel was registered before the stock one was taken");
  }
  const rows: Record<string, unknown>[] = [];
  for (const s of shapes) {
    const x = tf.randomNormal([s.batch, s.side, s.side, s.inC], 0, 1, "float32", 1);
    const out = Math.ceil(s.side / s.stride);
    const dy = tf.randomNormal([s.batch, out, out, s.outC], 0, 1, "float32", 2);
    const attrs = {
      strides: [s.stride, s.stride],
      pad: "same",
      dataFormat: "NHWC",
      filterShape: [s.k, s.k, s.inC, s.outC],
    };
    const ms = async (kernel: tf.KernelConfig) => {
      const once = async () => {
        const info = kernel.kernelFunc(
          { inputs: { x, dy }, backend: tf.backend(), attrs } as unknown as Parameters<
            tf.KernelFunc
          >[0],
        ) as tf.TensorInfo;
        const t = tf.engine().makeTensorFromTensorInfo(info);
        await t.data();
        t.dispose();
      };
      await once(); // pipeline compilation
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) await once();
      return (performance.now() - t0) / 3;
    };
    const stockMs = await ms(stock), oursMs = await ms(ours);
    rows.push({
      bench: "webgpu-filter-gradient",
      layer: `${s.k}x${s.k}, ${s.side} px, ${s.inC}->${s.outC}, stride ${s.stride}`,
      batch: s.batch,
      adapter: adapter.description,
      software: adapter.software,
      stock_ms: round(stockMs),
      ours_ms: round(oursMs),
      speedup: Math.round((stockMs / oursMs) * 100) / 100,
    });
    tf.dispose([x, dy]);
  }
  return rows;
}

function round(v: number): number {
  return v >= 10 ? Math.round(v) : Math.round(v * 100) / 100;
}

if (import.meta.main) {
  const rows = await compareFilterGradient();
  if (!rows.length) console.error("webgpu_kernels: no WebGPU adapter; skipped");
  for (const row of rows) console.log(JSON.stringify(row));
}
