/**
 * The one loader of trained models: a folder's card names the architecture, side and
 * preprocessing; the model comes back as that architecture at that side, scoring as saved.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "../assert.ts";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { createModel } from "../../lib/models/build.ts";
import { PREPROCESSING, writeCard } from "../../lib/models/card.ts";
import { loadClassifier } from "../../lib/models/classify.ts";
import { saveModel } from "../../lib/models/io.ts";
import { fixtureCard } from "../fixtures.ts";
import { tempDir } from "../helpers.ts";

const card = (side: number, preprocessing: string) =>
  fixtureCard({ side, preprocessing, classes: ["a", "b"], seed: 3 });

Deno.test({
  name:
    "loadClassifier: the card's architecture at the card's side, the saved scores; bad cards named",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await initBackend();
    await using dir = await tempDir();
    const side = 64; // not any profile's side: it can only come from the card
    const saved = await createModel({
      arch: "densenet121",
      side,
      outputs: 2,
      init: "scratch",
      seed: 3,
    });
    const modelDir = join(dir.path, "model");
    await saveModel(saved, modelDir);
    await writeCard(modelDir, card(side, PREPROCESSING.densenet121));

    const loaded = await loadClassifier(modelDir);
    assertEquals(loaded.model.inputs[0].shape, [null, side, side, 3]);
    assertEquals(loaded.card.side, side);
    const x = tf.randomUniform([2, side, side, 3], -1, 1, "float32", 9);
    const [a, b] = [saved.predict(x) as tf.Tensor, loaded.model.predict(x) as tf.Tensor];
    assertEquals(await b.data(), await a.data());
    tf.dispose([x, a, b]);
    saved.dispose();
    loaded.model.dispose();

    await writeCard(modelDir, card(side, PREPROCESSING.resnet50));
    await assertRejects(() => loadClassifier(modelDir), Error, `${modelDir}/card.json`);
    await Deno.remove(join(modelDir, "model.json"));
    await assertRejects(() => loadClassifier(modelDir), Error, "has no model.json");
    await assertRejects(() => loadClassifier(dir.path), Error, "has no card.json");
  },
});
