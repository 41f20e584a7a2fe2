/**
 * What the main job checks after the notebooks: the try page's models, read from chapter 3's
 * results in either shape (splits or folds), which are missing, which notebooks make them; and
 * where executed notebooks go (only the published profile's replace those in notebooks/).
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { PROJECT_ROOT } from "../lib/config.ts";
import { defaultOutDir, PUBLISHED_PROFILE } from "../lib/notebook/published.ts";
import { modelsNamed, producers, tryModels } from "../lib/notebook/try_models.ts";
import { tempDir } from "./helpers.ts";

Deno.test("try page's models: named in either shape, missing ones found, makers in order", async () => {
  await using dir = await tempDir();
  const results = {
    arms: [
      // the repeated-splits shape
      {
        key: "frozen",
        splits: [{ split: 0, model: "weights/p/frozen" }, { split: 1 }],
      },
      // the patient K-fold shape
      {
        key: "tuned",
        folds: [
          { fold: 0, repeat: 0, model: "weights/p/tuned-f0/best" },
          { fold: 1, repeat: 0, model: "weights/p/tuned-f1/best" },
          { fold: 2, repeat: 0 },
        ],
      },
    ],
  };
  assertEquals(modelsNamed(results), [
    "weights/p/frozen",
    "weights/p/tuned-f0/best",
    "weights/p/tuned-f1/best",
  ]);
  assertEquals(modelsNamed({}), []);
  assertEquals(await tryModels(dir.path, "smoke"), undefined); // chapter 3 never ran here
  await Deno.mkdir(join(dir.path, "results", "smoke"), { recursive: true });
  await Deno.writeTextFile(
    join(dir.path, "results", "smoke", "covid-transfer.json"),
    JSON.stringify(results),
  );
  // one complete model folder, one without its card, one absent
  for (
    const [model, files] of [
      ["weights/p/frozen", ["model.json", "card.json"]],
      ["weights/p/tuned-f0/best", ["model.json"]],
    ] as const
  ) {
    await Deno.mkdir(join(dir.path, model), { recursive: true });
    for (const f of files) await Deno.writeTextFile(join(dir.path, model, f), "{}");
  }
  const needs = await tryModels(dir.path, "smoke");
  assertEquals(needs?.named.length, 3);
  assertEquals(needs?.missing, ["weights/p/tuned-f0/best", "weights/p/tuned-f1/best"]);
  const notebooks = ["01-data", "02-chestxray14", "03-covid-transfer", "04-cam"]
    .map((n) => `/nb/${n}.ipynb`);
  assertEquals(producers(notebooks, needs!.resultsFile), notebooks.slice(0, 3));
});

Deno.test("executed notebooks: only the published profile's go to notebooks/", async () => {
  assertEquals(PUBLISHED_PROFILE, "quick");
  assertEquals(defaultOutDir("quick"), join(PROJECT_ROOT, "notebooks"));
  assertEquals(defaultOutDir("smoke"), join(PROJECT_ROOT, "out", "smoke", "notebooks"));
  const cli = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "lib/notebook/cli.ts"), ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const smoke = await cli("--profile", "smoke", "--print-out-dir");
  assertEquals(new TextDecoder().decode(smoke.stdout).trim(), defaultOutDir("smoke"));
  // asked to write a smoke run over the committed notebooks, it refuses before running anything
  const over = await cli("--profile", "smoke", "--out-dir", join(PROJECT_ROOT, "notebooks"));
  assertEquals(over.code, 1);
  const text = new TextDecoder().decode(over.stderr);
  if (!text.includes("published profile (quick)")) throw new Error(text);
});
