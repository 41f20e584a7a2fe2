/**
 * The patient split's output is part of every result: rewriting it to run in linear time (it
 * copied its list of patients once per patient, seconds at 112,120 images) must not move one
 * image. The hash is of the splits the earlier code made on the development data root.
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import { assertEquals } from "../assert.ts";
import { covidSplit, loadCovid, loadNih, nihSplit } from "../../lib/data/datasets/mod.ts";
import type { Splits } from "../../lib/data/splits.ts";
import type { XrayRecord } from "../../lib/data/record.ts";
import { DATA_ROOT } from "../helpers.ts";

Deno.test("real data: patient splits: the same images in the same order as before the linear rewrite", async () => {
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  const nih = await loadNih({ dir: join(DATA_ROOT, "nih-chestxray14") });
  const ids = (s: Splits<XrayRecord>) =>
    [s.train, s.val, s.test].map((part) => part.map((r) => r.imageId).join(",")).join("|");
  const hash = createHash("sha256");
  for (let seed = 0; seed < 5; seed++) hash.update(ids(covidSplit(covid.records, seed)));
  hash.update(ids(nihSplit(nih.records, { seed: 1 })));
  assertEquals(hash.digest("hex").slice(0, 16), "17eb327fe0c4f0d9");
});
