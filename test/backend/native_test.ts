/**
 * Native TensorFlow (tfjs-node, provisioned by scripts/native.sh) against the wasm backend:
 * convolution gradients, a DenseNet121 training step and the ImageNet check agree within
 * tolerance. Skipped, and said so, where native TensorFlow is not installed
 * (`XRAY_REQUIRE_NATIVE=1`, as in CI, turns the skip into a failure).
 */
import { join } from "node:path";
import { initBackend, prepareWasm, tf } from "../../lib/backend/mod.ts";
import { fusedBatchNormTraining, reluGrad } from "../../lib/backend/native_ops.ts";
import { decodeRgb } from "../../lib/data/images.ts";
import { rgbModelInput } from "../../lib/data/normalise.ts";
import { createImagenetClassifier, createModel } from "../../lib/models/build.ts";
import { binaryCrossEntropy } from "../../lib/train/loss.ts";
import { DATA_ROOT } from "../helpers.ts";

let native = false;
try {
  const info = await initBackend({ backend: "tensorflow" });
  native = info.name === "tensorflow";
  console.error(`[native test] ${info.description}`);
} catch (e) {
  if (Deno.env.get("XRAY_REQUIRE_NATIVE") === "1") throw e;
  console.error(`[native test] skipped: ${(e as Error).message}`);
}
if (native) prepareWasm();

/** f on each backend with the same inputs; outputs as arrays. */
async function onBoth(
  f: () => tf.Tensor[] | Promise<tf.Tensor[]>,
): Promise<[Float32Array[], Float32Array[]]> {
  const out: Float32Array[][] = [];
  for (const backend of ["tensorflow", "wasm"]) {
    await tf.setBackend(backend);
    const tensors = await f();
    out.push(tensors.map((t) => t.dataSync() as Float32Array));
    tf.dispose(tensors);
  }
  await tf.setBackend("tensorflow");
  return [out[0], out[1]];
}

function maxRelativeError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    const scale = Math.max(1e-3, ...Array.from(x, Math.abs));
    for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - b[i][k]) / scale);
  });
  return worst;
}

Deno.test({
  name: "native and wasm agree: conv2d gradients",
  ignore: !native,
  fn: async () => {
    for (
      const [k, s, pad] of [[1, 1, "valid"], [3, 1, "same"], [3, 2, "same"], [
        7,
        2,
        "valid",
      ]] as const
    ) {
      const [a, b] = await onBoth(() =>
        tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad)))
        )([
          tf.randomNormal([2, 17, 17, 6], 0, 1, "float32", 1),
          tf.randomNormal([k, k, 6, 5], 0, 1, "float32", 2),
        ])
      );
      const err = maxRelativeError(a, b);
      if (!(err < 1e-4)) throw new Error(`${k}×${k}/${s} ${pad}: relative error ${err}`);
    }
  },
});

Deno.test({
  name: "native and wasm agree: a DenseNet121 training step (loss and gradients)",
  ignore: !native,
  sanitizeResources: false,
  fn: async () => {
    const [a, b] = await onBoth(async () => {
      const model = await createModel({
        arch: "densenet121",
        side: 64,
        outputs: 3,
        init: "imagenet",
        seed: 1,
      });
      const x = tf.randomNormal([4, 64, 64, 3], 0, 1, "float32", 3);
      const y = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]);
      const { value, grads } = tf.variableGrads(
        () => binaryCrossEntropy(model.apply(x, { training: true }) as tf.Tensor, y),
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      const some = ["predictions/kernel", "conv1/conv/kernel", "conv5_block16_2_conv/kernel"]
        .map((n) =>
          grads[
            (model.trainableWeights.find((w) => w.originalName === n)!.read() as tf.Variable).name
          ]
        );
      const out = [value, ...some.map((g) => g.clone())];
      tf.dispose([x, y, ...Object.values(grads)]);
      model.dispose();
      return out;
    });
    const err = maxRelativeError(a, b);
    // 121 layers of float32 with batch statistics: summation order (oneDNN vs XNNPACK) shows
    if (!(err < 1e-2)) throw new Error(`loss/gradient relative error ${err}`);
  },
});

Deno.test({
  name: "real data: native TensorFlow: the ImageNet check (DenseNet121, ResNet50) matches wasm",
  ignore: !native,
  sanitizeResources: false,
  fn: async () => {
    for (const arch of ["densenet121", "resnet50"] as const) {
      const image = await decodeRgb(join(DATA_ROOT, "imagenet-samples", "chelsea.png"), 224);
      const [a, b] = await onBoth(async () => {
        const model = await createImagenetClassifier(arch);
        const p = tf.tidy(() =>
          model.predict(tf.tensor4d(rgbModelInput(image, arch), [1, 224, 224, 3])) as tf.Tensor
        );
        model.dispose();
        return [p];
      });
      const top = (p: Float32Array) => p.indexOf(Math.max(...p));
      if (top(a[0]) !== top(b[0]) || top(a[0]) !== 285) {
        throw new Error(`${arch}: top-1 ${top(a[0])} vs ${top(b[0])}`);
      }
      const err = maxRelativeError(a, b);
      if (!(err < 1e-3)) throw new Error(`${arch}: probabilities differ by ${err}`);
    }
  },
});

Deno.test({
  name: "native fused ops: batch norm (value, gradients, statistics) and the ReLU gradient",
  ignore: !native,
  fn: () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.add(tf.randomNormal([4, 5, 6, 8], 0, 2, "float32", 1), 5) as tf.Tensor4D;
      const g = tf.randomUniform([8], 0.5, 1.5, "float32", 2) as tf.Tensor1D;
      const b = tf.randomNormal([8], 0, 1, "float32", 3) as tf.Tensor1D;
      const up = tf.randomNormal([4, 5, 6, 8], 0, 1, "float32", 4);
      const textbook = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        return tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, 1e-3))), gi), bi);
      };
      const fused = fusedBatchNormTraining(x, g, b, 1e-3);
      const ours = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
        const out = fusedBatchNormTraining(
          xi as tf.Tensor4D,
          gi as tf.Tensor1D,
          bi as tf.Tensor1D,
          1e-3,
        );
        tf.dispose([out.mean, out.unbiasedVariance]); // statistics are kept: the caller frees them
        return tf.sum(tf.mul(out.y, up));
      })([x, g, b]);
      const ref = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(tf.mul(textbook(xi, gi, bi), up))
      )([x, g, b]);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const unbiased = tf.mul(variance, 120 / 119);
      const pairs: [string, tf.Tensor, tf.Tensor][] = [
        ["value", fused.y, textbook(x, g, b)],
        ["mean", fused.mean, mean],
        ["unbiased variance", fused.unbiasedVariance, unbiased],
        ...ours.map((o, i) => [`grad ${i}`, o, ref[i]] as [string, tf.Tensor, tf.Tensor]),
      ];
      for (const [name, a, e] of pairs) {
        const err = tf.max(tf.abs(tf.sub(a, e))).dataSync()[0];
        if (!(err < 2e-4)) throw new Error(`batch norm ${name}: max abs error ${err}`);
      }
      tf.dispose([fused.mean, fused.unbiasedVariance]);
      const y = tf.randomNormal([3, 7], 0, 1, "float32", 5);
      const dy = tf.randomNormal([3, 7], 0, 1, "float32", 6);
      const err = tf.max(tf.abs(tf.sub(reluGrad(dy, y), tf.mul(dy, tf.step(y))))).dataSync()[0];
      if (err !== 0) throw new Error(`ReLU gradient differs by ${err}`);
    });
    const left = tf.memory().numTensors - before;
    if (left !== 0) throw new Error(`${left} tensors left behind`);
  },
});
