/**
 * The project's WebGPU kernels against the pure-JS cpu backend, on whatever adapter this
 * machine has (here: Mesa's llvmpipe, a software adapter — slow, but the same WGSL). Relative
 * error ≤ 1e-3 of the largest value, on the wasm kernels' shapes and two of DenseNet121's. With
 * no WebGPU adapter the tests are skipped, and say so.
 */
import { initBackend, prepareWasm, tf } from "../../lib/backend/mod.ts";
import { webGpuAdapter } from "../../lib/backend/webgpu.ts";
import { CONV_SHAPES } from "./conv_shapes.ts";

const adapter = await webGpuAdapter();
if (!adapter) console.error("webgpu_test: no WebGPU adapter on this machine; skipping");
else await initBackend({ backend: "webgpu" });
(tf.findBackend("cpu") as unknown as { firstUse: boolean }).firstUse = false;

/** The same computation on cpu and on webgpu; the largest difference relative to the largest value. */
async function relativeDiff(f: () => tf.Tensor): Promise<number> {
  const out: Float32Array[] = [];
  for (const backend of ["cpu", "webgpu"]) {
    await tf.setBackend(backend);
    const t = f();
    out.push(await t.data() as Float32Array); // async: WebGPU reads back asynchronously
    t.dispose();
  }
  await tf.setBackend("webgpu");
  let worst = 0, scale = 0;
  for (let i = 0; i < out[0].length; i++) {
    worst = Math.max(worst, Math.abs(out[0][i] - out[1][i]));
    scale = Math.max(scale, Math.abs(out[0][i]));
  }
  return worst / Math.max(scale, 1e-12);
}

const SHAPES = [
  ...CONV_SHAPES,
  [2, 14, 128, 32, 3, 1, "same"], // DenseNet121: a dense layer's 3×3 conv
  [4, 14, 96, 128, 1, 1, "valid"], // DenseNet121: a bottleneck 1×1 conv
] as const;

for (const [n, side, ci, co, k, s, pad] of SHAPES) {
  Deno.test({
    name:
      `webgpu conv2d filter gradient ${k}×${k}/${s} ${pad} on [${n},${side},${side},${ci}]→${co}`,
    ignore: !adapter,
    fn: async () => {
      const diff = await relativeDiff(() =>
        tf.tidy(() => {
          const x = tf.randomNormal([n, side, side, ci], 0, 1, "float32", 1) as tf.Tensor4D;
          const w = tf.randomNormal([k, k, ci, co], 0, 1, "float32", 2) as tf.Tensor4D;
          const y = tf.conv2d(x, w, s, pad);
          // a non-uniform upstream gradient, so every output position matters
          const dy = tf.div(tf.reshape(tf.range(1, 1 + y.size), y.shape), y.size);
          return tf.grad((v) => tf.sum(tf.mul(tf.conv2d(x, v as tf.Tensor4D, s, pad), dy)))(w);
        })
      );
      if (!(diff <= 1e-3)) throw new Error(`relative error ${diff} > 1e-3`);
    },
  });
}

Deno.test({
  name: "webgpu: the filter-gradient kernel leaves no tensors or buffers behind",
  ignore: !adapter,
  fn: async () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 8]) as tf.Tensor4D;
    for (let i = 0; i < 3; i++) {
      const g = tf.grad((v) => tf.sum(tf.conv2d(x, v as tf.Tensor4D, 1, "same")))(w);
      await g.data();
      g.dispose();
    }
    tf.dispose([x, w]);
    if (tf.memory().numTensors !== before) {
      throw new Error(`${tf.memory().numTensors - before} tensors leaked`);
    }
  },
});

Deno.test({
  name: "webgpu: a DenseNet121 training step gives wasm's loss (1e-4) and gradients (1e-2)",
  ignore: !adapter,
  fn: async () => {
    const { createModel } = await import("../../lib/models/build.ts");
    const { binaryCrossEntropy } = await import("../../lib/train/loss.ts");
    const step = async (backend: string) => {
      await tf.setBackend(backend);
      const model = await createModel({
        arch: "densenet121",
        side: 64,
        outputs: 2,
        init: "scratch",
      });
      // 64 px and 4 images: at 32 px the last block is 1×1, and batch statistics over 2 values
      // amplify rounding differences into visibly different losses on any two backends
      const x = tf.randomNormal([4, 64, 64, 3], 0, 1, "float32", 3);
      const y = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]]);
      const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => binaryCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
        weights,
      );
      // the first convolution's filter gradient: the kernel under test, on real activations
      const first = grads[weights[0].name];
      const out = { loss: (await value.data())[0], grad: await first.data() as Float32Array };
      tf.dispose([x, y, value, ...Object.values(grads)]);
      model.dispose();
      return out;
    };
    // the reference is wasm (itself checked against cpu in kernels_test.ts): cpu takes minutes
    prepareWasm();
    const ref = await step("wasm"), gpu = await step("webgpu");
    const scale = Math.max(...ref.grad.map(Math.abs));
    const worst = Math.max(...ref.grad.map((g, i) => Math.abs(g - gpu.grad[i])));
    // the whole network, end to end: rounding differs between backends at every one of ~600
    // ops, and the first convolution's gradient comes last in backpropagation — so the
    // tolerance is looser than the kernel tests' 1e-3 (measured: about 6e-3 against wasm)
    if (!(Math.abs(ref.loss - gpu.loss) <= 1e-4 * Math.abs(ref.loss))) {
      throw new Error(`loss ${gpu.loss} vs ${ref.loss}`);
    }
    if (!(worst <= 1e-2 * scale)) throw new Error(`gradient error ${worst} of ${scale}`);
  },
});
