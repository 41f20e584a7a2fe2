/**
 * The batch-norm layer's bookkeeping outside the normalisation itself: moving averages of all
 * layers written at once after a training pass must equal the per-layer update they replaced,
 * bit for bit, whenever they are applied (explicitly, before the layer runs again, or when the
 * current job ends), and give way to statistics written meanwhile; the inference scale and shift
 * kept between batches must equal those computed afresh and follow changed weights; nothing
 * leaks.
 */
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { activeNativeBackend, fusedBatchNormTraining } from "../../lib/backend/native_ops.ts";
import { applyMovingAverages, BatchNorm, batchNormTraining } from "../../lib/models/batchnorm.ts";
import { assertEquals } from "../assert.ts";

await initBackend();

const MOMENTA = [0.9, 0.99, 0.9];

/** Three batch-norm layers in a row (two momenta), with random weights and statistics. */
function buildModel(): { model: tf.LayersModel; layers: BatchNorm[] } {
  const input = tf.input({ shape: [5, 6, 4] });
  const layers = MOMENTA.map((momentum, i) =>
    new BatchNorm({ axis: 3, epsilon: 1e-3, momentum, name: `bn${i}` })
  );
  let x: tf.SymbolicTensor = input;
  const outputs: tf.SymbolicTensor[] = [];
  for (const layer of layers) {
    x = layer.apply(x) as tf.SymbolicTensor;
    outputs.push(x);
  }
  const model = tf.model({ inputs: input, outputs });
  layers.forEach((layer, i) =>
    tf.tidy(() =>
      layer.setWeights([
        tf.randomUniform([4], 0.5, 1.5, "float32", 10 + i),
        tf.randomNormal([4], 0, 1, "float32", 20 + i),
        tf.randomNormal([4], 0, 1, "float32", 30 + i),
        tf.randomUniform([4], 0.5, 2, "float32", 40 + i),
      ])
    )
  );
  return { model, layers };
}

// The batch statistics a layer computes in training (the same path as the layer takes).
function batchStatistics(x: tf.Tensor4D, layer: BatchNorm): [tf.Tensor, tf.Tensor] {
  const [gamma, beta] = layer.getWeights();
  if (activeNativeBackend()) {
    const { y, mean, unbiasedVariance } = fusedBatchNormTraining(
      x,
      gamma as tf.Tensor1D,
      beta as tf.Tensor1D,
      1e-3,
    );
    y.dispose();
    return [mean, unbiasedVariance];
  }
  const { y, mean, variance } = batchNormTraining(x, gamma, beta, 1e-3);
  y.dispose();
  const count = x.size / x.shape[3];
  const unbiased = tf.mul(variance, count / (count - 1));
  variance.dispose();
  return [mean, unbiased];
}

// The moving statistics as the per-layer update wrote them.
function expectedStatistics(
  x: tf.Tensor4D,
  layers: BatchNorm[],
  inputs: tf.Tensor[],
): Float32Array[] {
  return layers.flatMap((layer, i) => {
    const [mean, variance] = batchStatistics((i === 0 ? x : inputs[i - 1]) as tf.Tensor4D, layer);
    const [, , movingMean, movingVariance] = layer.getWeights();
    const m = MOMENTA[i];
    const out = tf.tidy(() => [
      tf.add(tf.mul(movingMean, m), tf.mul(mean, 1 - m)).dataSync() as Float32Array,
      tf.add(tf.mul(movingVariance, m), tf.mul(variance, 1 - m)).dataSync() as Float32Array,
    ]);
    tf.dispose([mean, variance]);
    return out;
  });
}

function movingStatistics(layers: BatchNorm[]): Float32Array[] {
  return layers.flatMap((l) => l.getWeights().slice(2).map((w) => w.dataSync() as Float32Array));
}

Deno.test("batch norm: moving averages of all layers at once equal the per-layer update, bit for bit", async () => {
  const x = tf.add(tf.randomNormal([3, 5, 6, 4], 0, 2, "float32", 1), 3) as tf.Tensor4D;
  const tensorsAfter: number[] = [];
  for (const when of ["explicit", "next call", "end of job", "explicit"] as const) {
    const { model, layers } = buildModel();
    const outputs = model.apply(x, { training: true }) as tf.Tensor[];
    const expected = expectedStatistics(x, layers, outputs);
    if (when === "explicit") applyMovingAverages();
    if (when === "next call") tf.dispose(model.predict(x) as tf.Tensor[]);
    if (when === "end of job") await Promise.resolve();
    assertEquals(movingStatistics(layers), expected, when);
    tf.dispose(outputs);
    model.dispose();
    tensorsAfter.push(tf.memory().numTensors);
  }
  x.dispose();
  // (the first pass leaves TensorFlow.js' own cached constants behind)
  assertEquals(tensorsAfter.slice(1), tensorsAfter.slice(0, -1).fill(tensorsAfter[0]));
});

Deno.test("batch norm: statistics written before the update is applied are kept", () => {
  const before = tf.memory().numTensors;
  const { model, layers } = buildModel();
  const x = tf.randomNormal([3, 5, 6, 4], 0, 1, "float32", 2);
  tf.dispose(model.apply(x, { training: true }) as tf.Tensor[]);
  const [gamma, beta] = layers[1].getWeights();
  const written = [tf.zeros([4]), tf.ones([4])];
  layers[1].setWeights([gamma, beta, ...written]); // as loading a checkpoint does
  applyMovingAverages();
  assertEquals(movingStatistics([layers[1]]), [new Float32Array(4), new Float32Array(4).fill(1)]);
  tf.dispose([x, ...written]);
  model.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("batch norm: inference scale and shift are kept while the weights stay the same", () => {
  const before = tf.memory().numTensors;
  const { model, layers } = buildModel();
  const x = tf.randomNormal([2, 5, 6, 4], 0, 1, "float32", 3);
  const afresh = (): Float32Array =>
    tf.tidy(() => {
      let y: tf.Tensor = x;
      for (const layer of layers) {
        const [g, b, mean, variance] = layer.getWeights();
        const scale = tf.mul(g, tf.rsqrt(tf.add(variance, 1e-3)));
        y = tf.add(tf.mul(y, scale), tf.sub(b, tf.mul(mean, scale)));
      }
      return y.dataSync() as Float32Array;
    });
  const predict = () =>
    tf.tidy(() => (model.predict(x) as tf.Tensor[])[2].dataSync() as Float32Array);
  assertEquals(predict(), afresh());
  assertEquals(predict(), afresh()); // from the kept scale and shift
  const weights = layers[0].getWeights();
  const changed = [tf.mul(weights[0], 2), weights[1], weights[2], weights[3]];
  layers[0].setWeights(changed);
  assertEquals(predict(), afresh()); // the change is seen
  tf.dispose([x, changed[0]]);
  model.dispose();
  assertEquals(tf.memory().numTensors, before);
});
