import { assertEquals, assertThrows } from "./assert.ts";
import { join } from "node:path";
import {
  currentProfile,
  DataMissingError,
  dataRoot,
  PROFILES,
  PROJECT_ROOT,
} from "../lib/config.ts";
import { datasetDir } from "../lib/data/datasets/mod.ts";
import { initBackend } from "../lib/backend/mod.ts";

Deno.test("profiles share one shape and grow from smoke to paper", () => {
  assertEquals(currentProfile("smoke"), PROFILES.smoke);
  assertEquals(currentProfile(""), PROFILES.quick);
  assertEquals(PROFILES.paper.imageSide, 224);
  assertEquals(PROFILES.paper.batchSize, 16);
  if (!(PROFILES.smoke.imageSide < PROFILES.quick.imageSide)) throw new Error("smoke ≥ quick");
  assertThrows(() => currentProfile("huge"), Error, 'Unknown profile "huge"');
});

Deno.test("data root: default ./data, relative paths resolved against the project root", () => {
  assertEquals(dataRoot(""), join(PROJECT_ROOT, "data"));
  assertEquals(dataRoot("../shared/data"), join(PROJECT_ROOT, "..", "shared", "data"));
  assertEquals(dataRoot("/abs/root"), "/abs/root");
});

Deno.test("a missing data root or dataset says where to get it and which command fetches it", () => {
  const noRoot = assertThrows(
    () => datasetDir("covid-chestxray", "/nonexistent/root"),
    DataMissingError,
  );
  if (!/XRAY_DATA_DIR/.test(noRoot.message) || !/deno task data/.test(noRoot.message)) {
    throw new Error(noRoot.message);
  }
  const noSet = assertThrows(() => datasetDir("nih-chestxray14", "/tmp"), DataMissingError);
  for (const part of ["/tmp/nih-chestxray14", "deno task data", "nihcc.app.box.com"]) {
    if (!noSet.message.includes(part)) throw new Error(`"${part}" missing in: ${noSet.message}`);
  }
});

Deno.test("the profile is a pure lookup: the same before and after the backend starts", async () => {
  const before = currentProfile("quick");
  await initBackend();
  assertEquals(currentProfile("quick"), before);
  assertEquals(currentProfile("quick"), PROFILES.quick);
});
