/** The feature cache's files: rows back as written, in chunks; a torn pair reads as empty. */
import { join } from "node:path";
import { assertEquals, assertRejects } from "../assert.ts";
import { readFeatureFile, writeFeatureFile } from "../../lib/train/_feature_file.ts";
import { tempDir } from "../helpers.ts";

const rows = (n: number, dim: number) =>
  new Map(
    Array.from({ length: n }, (_, i) => [
      `/images/${i}.png|${100 + i}|0`,
      Float32Array.from({ length: dim }, (_, j) => i * 1000 + j + 0.25),
    ]),
  );

Deno.test("feature file: rows read back as written, across chunks of a few rows", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "features", "key");
  const written = rows(10, 5);
  await writeFeatureFile(file, written, 5, 3 * 5 * 4); // 3 rows a chunk: 4 chunks, the last short
  const read = await readFeatureFile(file);
  assertEquals([...read.keys()], [...written.keys()]);
  for (const [k, v] of written) assertEquals(Array.from(read.get(k)!), Array.from(v));
  assertEquals(Deno.statSync(`${file}.bin`).size, 10 * 5 * 4);
  // nothing left under a temporary name
  assertEquals([...Deno.readDirSync(join(dir.path, "features"))].map((e) => e.name).sort(), [
    "key.bin",
    "key.json",
  ]);
});

Deno.test("feature file: a missing or torn pair reads as empty (features computed again)", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "key");
  assertEquals((await readFeatureFile(file)).size, 0);
  await writeFeatureFile(file, rows(4, 8), 8);
  assertEquals((await readFeatureFile(file)).size, 4);
  await Deno.truncate(`${file}.bin`, 3 * 8 * 4);
  assertEquals((await readFeatureFile(file)).size, 0);
});

Deno.test("feature file: a row of another width is an error, not a shifted file", async () => {
  await using dir = await tempDir();
  const bad = rows(3, 4);
  bad.set("odd", new Float32Array(3));
  await assertRejects(() => writeFeatureFile(join(dir.path, "key"), bad, 4), Error, "odd");
});
