/**
 * The same X-ray under two patient ids is found by content and its patients are merged: the
 * known pairs of the COVID-19 collection (patients 78/201 and 97/178 among them), a re-encoded
 * and resized copy, and no merge of different films.
 */
import { join } from "node:path";
import sharp from "sharp";
import { assertEquals } from "../assert.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { fingerprint, hammingDistance, mergeDuplicatePatients } from "../../lib/data/duplicates.ts";
import type { XrayRecord } from "../../lib/data/record.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

Deno.test("real data: duplicates on the real collection: the known pairs are merged, nothing else", async () => {
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  const merged = await mergeDuplicatePatients(covid.records);
  const groups = merged.groups.map((g) => g.patientId);
  for (const pair of ["201+78", "178+97"]) {
    if (!groups.includes(pair)) throw new Error(`${pair} not merged: ${groups}`);
  }
  assertEquals(merged.groups.length, 6);
  // every copy of a merged group is now one patient, and patients not in a group are untouched
  const ids = new Set(merged.records.map((r) => r.patientId));
  for (const p of ["78", "201", "97", "178"]) assertEquals(ids.has(p), false);
  assertEquals(ids.size, new Set(covid.records.map((r) => r.patientId)).size - 6);
});

Deno.test("real data: duplicates: a re-encoded, resized copy matches; a different film does not", async () => {
  await using dir = await tempDir();
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  const [a, b] = covid.records.filter((r) => r.covid);
  const copy = join(dir.path, "copy.jpg");
  await sharp(await Deno.readFile(a.path)).resize(300, 300, { fit: "fill" }).jpeg({ quality: 60 })
    .toFile(copy);
  const [fa, fc, fb] = await Promise.all([
    fingerprint(a.path),
    fingerprint(copy),
    fingerprint(b.path),
  ]);
  if (hammingDistance(fa.hash, fc.hash) > 4) throw new Error("the copy's hash moved too far");
  const asRecord = (path: string, patientId: string): XrayRecord => ({
    ...a,
    path,
    imageId: path.split("/").pop()!,
    patientId,
  });
  const merged = await mergeDuplicatePatients([
    asRecord(a.path, "p1"),
    asRecord(copy, "p2"),
    asRecord(b.path, "p3"),
  ]);
  assertEquals(merged.groups.map((g) => g.patientId), ["p1+p2"]);
  assertEquals(merged.records.map((r) => r.patientId), ["p1+p2", "p1+p2", "p3"]);
  if (hammingDistance(fa.hash, fb.hash) <= 4) throw new Error("two films look like copies");
});
