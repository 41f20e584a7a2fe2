/**
 * Using a trained model outside the chapters: `deno task predict` scores a folder of images as
 * the model's card says, reports a broken file as a skip, and gives the same scores as the
 * chapters' own prediction path for the same images.
 */
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { initBackend } from "../../lib/backend/mod.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { BatchPipeline } from "../../lib/data/pipeline.ts";
import { createModel } from "../../lib/models/build.ts";
import { writeCard } from "../../lib/models/card.ts";
import { saveModel } from "../../lib/models/io.ts";
import { predict } from "../../lib/train/predict.ts";
import { PROJECT_ROOT } from "../../lib/config.ts";
import { fixtureCard } from "../fixtures.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

Deno.test({
  name:
    "real data: predict: a folder with a broken file gives scores plus one skip, equal to the chapters'",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await initBackend();
    await using dir = await tempDir();
    const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
    const records = covid.records.slice(0, 5);
    const model = await createModel({ arch: "densenet121", side: 32, outputs: 1, init: "scratch" });
    const modelDir = join(dir.path, "model");
    await saveModel(model, modelDir);
    await writeCard(modelDir, fixtureCard({ side: 32, notes: { thresholds: [0.5] } }));
    const images = join(dir.path, "images");
    await Deno.mkdir(images);
    for (const r of records) await Deno.copyFile(r.path, join(images, r.imageId));
    await Deno.writeTextFile(join(images, "notes.txt"), "not an image");

    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(PROJECT_ROOT, "lib/models/predict_cli.ts"),
        modelDir,
        images,
        "--format",
        "json",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    const json = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(json.results.length, 5);
    assertEquals(json.skipped.map((s: { file: string }) => s.file.split("/").pop()), ["notes.txt"]);
    if (!/not an image/.test(json.skipped[0].reason)) throw new Error(json.skipped[0].reason);
    if (!/skipped .*notes\.txt/.test(stderr)) throw new Error(stderr);

    // the chapters' path: the batch pipeline and predict()
    const pipeline = await new BatchPipeline(records, {
      side: 32,
      model: "densenet121",
      batchSize: 8,
      labels: () => [0],
      seed: 0,
    }).prepare();
    const reference = await predict(model, pipeline, { progress: false });
    for (const [i, r] of records.entries()) {
      const got = json.results.find((x: { file: string }) => x.file.endsWith(r.imageId));
      const diff = Math.abs(got.scores["COVID-19"] - reference.scores[i][0]);
      if (!(diff < 1e-5)) {
        throw new Error(`${r.imageId}: ${got.scores["COVID-19"]} vs ${reference.scores[i][0]}`);
      }
    }
    model.dispose();
  },
});
