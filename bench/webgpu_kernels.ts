/**
 * The convolution filter gradient on WebGPU: TensorFlow.js' stock kernel against this project's
 * split-K kernel, on the same inputs, one JSON line per layer shape (ms per call, result read
 * back, mean of 3 after a warm-up). Run by `deno task bench` when WebGPU is benchmarked; on a
 * software adapter the numbers say nothing about a GPU, and the line says which adapter it was.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { webGpuAdapter } from "../lib/backend/webgpu.ts";

const adapter = await webGpuAdapter();
if (!adapter) {
  console.error("webgpu_kernels: no WebGPU adapter; skipped");
  Deno.exit(0);
}
await import("@tensorflow/tfjs-backend-webgpu");
await tf.setBackend("webgpu");
await tf.ready();
const stock = tf.getKernel("Conv2DBackpropFilter", "webgpu")!;
const { registerWebGpuKernels } = await import("../lib/backend/_webgpu/mod.ts");
registerWebGpuKernels();
const ours = tf.getKernel("Conv2DBackpropFilter", "webgpu")!;

// DenseNet121 layers: a bottleneck 1×1, a growth 3×3, the 7×7 stride-2 stem
const SHAPES = [
  { batch: 16, side: 56, inC: 128, outC: 128, k: 1, stride: 1 },
  { batch: 16, side: 28, inC: 128, outC: 32, k: 3, stride: 1 },
  { batch: 16, side: 112, inC: 3, outC: 64, k: 7, stride: 2 },
];

for (const s of SHAPES) {
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
    return Math.round((performance.now() - t0) / 3);
  };
  const stockMs = await ms(stock), oursMs = await ms(ours);
  console.log(JSON.stringify({
    bench: "webgpu-filter-gradient",
    layer: `${s.k}x${s.k}, ${s.side} px, ${s.inC}->${s.outC}, stride ${s.stride}`,
    batch: s.batch,
    adapter: adapter.description,
    software: adapter.software,
    stock_ms: stockMs,
    ours_ms: oursMs,
    speedup: Math.round((stockMs / oursMs) * 100) / 100,
  }));
  tf.dispose([x, dy]);
}
