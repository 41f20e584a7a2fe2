/**
 * The architectures: Keras parameter counts, ImageNet weights that recognise the two sample
 * photos with each model's own preprocessing, the standard TF.js format on save and load, and
 * clear errors for weights that do not fit.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { decodeRgb } from "../../lib/data/images.ts";
import { rgbModelInput } from "../../lib/data/normalise.ts";
import { createImagenetClassifier, createModel, featureModel } from "../../lib/models/build.ts";
import { imagenetClasses } from "../../lib/data/imagenet_weights.ts";
import { loadModel, saveModel } from "../../lib/models/io.ts";
import { assignWeights, readNamedWeights, WeightsMismatchError } from "../../lib/models/weights.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

await initBackend();

Deno.test("real data: parameter counts with the 1000-class top equal Keras'", async () => {
  for (const [arch, count] of [["densenet121", 8_062_504], ["resnet50", 25_636_712]] as const) {
    const model = await createImagenetClassifier(arch, 224, false);
    assertEquals(model.countParams(), count, arch);
    model.dispose();
  }
});

for (const arch of ["densenet121", "resnet50"] as const) {
  Deno.test({
    name: `${arch} ImageNet weights: chelsea.png is an Egyptian cat, coffee.png an espresso`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const model = await createImagenetClassifier(arch);
      const classes = await imagenetClasses(arch);
      for (const [photo, expected] of [["chelsea", "Egyptian cat"], ["coffee", "espresso"]]) {
        const image = await decodeRgb(join(DATA_ROOT, "imagenet-samples", `${photo}.png`), 224);
        const top = tf.tidy(() => {
          const x = tf.tensor4d(rgbModelInput(image, arch), [1, 224, 224, 3]);
          return (model.predict(x) as tf.Tensor).argMax(-1).dataSync()[0];
        });
        assertEquals(classes[top], expected, `${arch} on ${photo}`);
      }
      model.dispose();
    },
  });
}

Deno.test("a saved model is standard TF.js layers format and loads back identical", async () => {
  await using dir = await tempDir();
  const model = await createModel({
    arch: "densenet121",
    side: 32,
    outputs: 3,
    init: "scratch",
    seed: 2,
  });
  await saveModel(model, dir.path);
  const json = JSON.parse(await Deno.readTextFile(join(dir.path, "model.json")));
  assertEquals(json.format, "layers-model");
  const classes = new Set<string>(
    (json.modelTopology.model_config ?? json.modelTopology).config.layers.map((
      l: { class_name: string },
    ) => l.class_name),
  );
  // only stock Keras layer classes: the files load anywhere TF.js runs
  const keras = [
    "InputLayer",
    "ZeroPadding2D",
    "Conv2D",
    "BatchNormalization",
    "Activation",
    "MaxPooling2D",
    "Concatenate",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "Dense",
  ];
  assertEquals([...classes].filter((c) => !keras.includes(c)), []);
  const loaded = await loadModel(dir.path);
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, "float32", 3);
  const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
  assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
  // and the feature maps before pooling: 1024 maps of side/32
  assertEquals(featureModel(loaded).outputs[0].shape, [null, 1, 1, 1024]);
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
});

Deno.test("real data: weights that do not fit are named, not guessed", async () => {
  const named = await readNamedWeights(
    join(DATA_ROOT, "weights", "densenet121-imagenet", "model.json"),
    { label: "weights" },
  );
  const resnet = await createModel({ arch: "resnet50", side: 32, outputs: 1, init: "scratch" });
  const e = assertThrows(() => assignWeights(resnet, named, "densenet file"), WeightsMismatchError);
  if (!/densenet file: .*bn_conv1\/gamma missing/.test(e.message)) throw new Error(e.message);
  tf.dispose(Object.values(named));
  resnet.dispose();
  await assertRejects(
    () => readNamedWeights("/nonexistent/model.json"),
    Error,
    "/nonexistent/model.json: file not found",
  );
});

Deno.test("real data: weights load over http as from disk", async () => {
  const dir = join(DATA_ROOT, "weights", "densenet121-imagenet");
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    try {
      return new Response(await Deno.readFile(join(dir, new URL(req.url).pathname.slice(1))));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const remote = await readNamedWeights(`http://127.0.0.1:${server.addr.port}/model.json`, {
      label: "over http",
    });
    const local = await readNamedWeights(join(dir, "model.json"), { label: "from disk" });
    assertEquals(Object.keys(remote).sort(), Object.keys(local).sort());
    const name = "conv5_block16_2_conv/kernel";
    assertEquals(Array.from(remote[name].dataSync()), Array.from(local[name].dataSync()));
    tf.dispose([...Object.values(remote), ...Object.values(local)]);
    await assertRejects(
      () => readNamedWeights(`http://127.0.0.1:${server.addr.port}/missing/model.json`),
      Error,
      "HTTP 404",
    );
  } finally {
    await server.shutdown();
  }
});
