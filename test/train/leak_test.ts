/**
 * A finished training run leaves no tensors behind: the paper profile trains dozens of runs in
 * one notebook process (chapter 3: two architectures × five splits × several starts), so one
 * model's weights left per run adds up to gigabytes of GPU memory.
 */
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { tf } from "../../lib/backend/mod.ts";
import { tempDir } from "../helpers.ts";
import { fixtureRun } from "./fixture.ts";

Deno.test({
  name: "a fresh run with checkpoints leaves no tensors once its model is disposed",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    await fixtureRun(join(dir.path, "warm-up")); // the backend's own first-use tensors
    const before = tf.memory().numTensors;
    await fixtureRun(join(dir.path, "run"));
    assertEquals(tf.memory().numTensors, before);
  },
});
