/**
 * CAM on a tiny model with hand-set weights gives the map the formula says; Grad-CAM equals CAM
 * for a global-average-pooling + dense head (tiny model and DenseNet121); lung masks and scores.
 */
import { join } from "node:path";
import { assertAlmostEquals, assertEquals } from "../assert.ts";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { classActivationMaps, normaliseMap, upsampleMaps } from "../../lib/explain/cam.ts";
import { gradCam } from "../../lib/explain/gradcam.ts";
import { lungMask, lungShare } from "../../lib/explain/lungs.ts";
import { blendHeatmap, colour } from "../../lib/explain/colour.ts";
import { overlayPng } from "../../lib/explain/overlay.ts";
import { HEAD_DENSE, HEAD_POOL } from "../../lib/models/backbone.ts";
import { createModel } from "../../lib/models/build.ts";
import { DATA_ROOT } from "../helpers.ts";

await initBackend();

/** input [4,4,2] → 1×1 conv (identity) → ReLU → GAP → dense (w = [2, −1]). */
function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 2] });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: "conv" });
  const relu = tf.layers.activation({ activation: "relu", name: "relu" });
  const pool = tf.layers.globalAveragePooling2d({ name: HEAD_POOL });
  const dense = tf.layers.dense({ units: 1, activation: "sigmoid", name: HEAD_DENSE });
  const out = dense.apply(pool.apply(relu.apply(conv.apply(input)))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  conv.setWeights([tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2])]);
  dense.setWeights([tf.tensor2d([[2], [-1]]), tf.tensor1d([0.3])]);
  return model;
}

// channel 0: a bright top-left block; channel 1: a bright bottom row and a negative cell
const A = [[3, 3, 0, 0], [3, 3, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
const B = [[0, 0, 0, -5], [0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]];
const x = () =>
  tf.tensor4d(A.flatMap((row, i) => row.flatMap((a, j) => [a, B[i][j]])), [1, 4, 4, 2]);

Deno.test("CAM of a hand-set model is Σ_k w_k·relu(f_k)", async () => {
  const model = tinyModel();
  const maps = classActivationMaps(model, x());
  const expected = A.map((row, i) => row.map((a, j) => 2 * Math.max(a, 0) - Math.max(B[i][j], 0)));
  const got = (maps.arraySync() as number[][][])[0];
  got.flat().forEach((v, i) => assertAlmostEquals(v, expected.flat()[i], 1e-6));
  // upsampled and rectified: the top-left block is the maximum, the bottom row is zero
  const [up] = await upsampleMaps(maps, 8, "max");
  assertAlmostEquals(up[0], 1, 1e-6);
  assertEquals(up[7 * 8 + 4], 0);
  maps.dispose();
});

Deno.test("Grad-CAM equals CAM for a GAP + dense head (tiny model and DenseNet121)", async () => {
  const check = async (model: tf.LayersModel, input: tf.Tensor4D, layer: string) => {
    const cam = await upsampleMaps(classActivationMaps(model, input), 16, "max");
    const grad = await upsampleMaps(gradCam(model, layer, input), 16, "max");
    cam.forEach((m, n) => m.forEach((v, i) => assertAlmostEquals(grad[n][i], v, 1e-4)));
  };
  await check(tinyModel(), x(), "relu");
  const densenet = await createModel({
    arch: "densenet121",
    side: 64,
    outputs: 2,
    init: "scratch",
    seed: 3,
  });
  await check(densenet, tf.randomNormal([2, 64, 64, 3], 0, 1, "float32", 4) as tf.Tensor4D, "relu");
  // the hook is removed: the model predicts as before
  const input = tf.randomNormal([1, 64, 64, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  gradCam(densenet, "pool4_conv", input).dispose();
  assertEquals(tf.memory().numTensors, before, "grad-CAM leaves no tensors behind");
  input.dispose();
  densenet.dispose();
});

Deno.test("real data: lung masks from the annotations, and the share of a map inside them", async () => {
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  const sources = new Set<string>();
  let found = 0;
  for (const r of covid.records.slice(0, 60)) {
    const mask = await lungMask(r, 64);
    if (!mask) continue;
    found++;
    sources.add(mask.source);
    const lungArea = mask.data.reduce((a, b) => a + b, 0) / mask.data.length;
    if (!(lungArea > 0.05 && lungArea < 0.9)) {
      throw new Error(`${r.imageId}: lung area ${lungArea}`);
    }
    // a map that is 1 inside the lungs puts all its mass there; a flat map puts the area share
    assertAlmostEquals(lungShare(Float32Array.from(mask.data), mask).inside, 1, 1e-9);
    const flat = lungShare(new Float32Array(64 * 64).fill(1), mask);
    assertAlmostEquals(flat.inside, flat.area, 1e-9);
  }
  if (found < 30) throw new Error(`only ${found} of 60 images have a lung mask`);
  if (!sources.has("v7labs")) throw new Error(`mask sources: ${[...sources]}`);
});

Deno.test("colour maps and overlays", async () => {
  assertEquals(colour(0, "jet"), [0, 0, 128]);
  assertEquals(colour(1, "jet"), [128, 0, 0]);
  assertEquals(colour(0, "viridis"), [68, 1, 84]);
  assertEquals(colour(1, "viridis"), [253, 231, 37]);
  const png = await overlayPng(
    { side: 4, data: new Uint8Array(16).fill(100) },
    new Float32Array(16).fill(0.5),
  );
  assertEquals([...png.slice(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  // the blend: opacity 0 is the grey image, 1 the colour map, an outline is white on top
  const grey = Uint8Array.from([0, 100, 200]), heat = Float32Array.from([0, 0.5, 1]);
  assertEquals([...blendHeatmap(grey, heat, { opacity: 0 })], [
    0,
    0,
    0,
    100,
    100,
    100,
    200,
    200,
    200,
  ]);
  assertEquals([...blendHeatmap(grey, heat, { opacity: 1 }).slice(6)], colour(1, "jet"));
  assertEquals(
    [...blendHeatmap(grey, heat, { outline: [0, 1, 0] }).slice(3, 6)],
    [255, 255, 255],
  );
});

Deno.test("CAM maps normalise to a maximum of 1 or a sum of 1; an all-zero map stays zero", () => {
  assertEquals([...normaliseMap(Float32Array.from([0, 2, 4]), "max")], [0, 0.5, 1]);
  assertEquals([...normaliseMap(Float32Array.from([1, 1, 2]), "sum")], [0.25, 0.25, 0.5]);
  assertEquals([...normaliseMap(new Float32Array(3), "max")], [0, 0, 0]);
});
