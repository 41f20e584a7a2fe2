/**
 * One room per dataset: a third dataset is one object registered beside the built-in ones; it
 * then loads by key, splits by patient, merges with the others into one vocabulary, and is part
 * of the fetch plan — no other file changes.
 */
import { join } from "node:path";
import { assertEquals, assertThrows } from "../assert.ts";
import { dataset, datasets, loadDataset, registerDataset } from "../../lib/data/datasets/mod.ts";
import type { XrayDataset } from "../../lib/data/dataset.ts";
import { labelVector, mergeRecords, toVocabulary, type XrayRecord } from "../../lib/data/record.ts";
import { assertPatientsDisjoint, patientSplit } from "../../lib/data/splits.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { PROFILES } from "../../lib/config.ts";
import { profileNeeds } from "../../lib/data/requirements.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

// A tiny dataset as a user would add one: a CSV of image, patient, finding.
const tiny: XrayDataset = {
  info: {
    key: "tiny-xrays",
    folder: "tiny-xrays",
    title: "Tiny test X-rays",
    homepage: "https://example.org/tiny",
    licence: "test data",
  },
  async load(dir) {
    const rows = (await Deno.readTextFile(join(dir, "labels.csv"))).trim().split("\n").slice(1);
    const records: XrayRecord[] = rows.map((line) => {
      const [imageId, patientId, finding] = line.split(",");
      const findings = finding ? [finding] : [];
      return {
        source: "tiny-xrays",
        imageId,
        path: join(dir, imageId),
        patientId,
        view: "PA",
        findings,
        findingText: finding,
        labels: toVocabulary(findings),
      };
    });
    return { records, skipped: [], rows: rows.length };
  },
  split: (records, seed) =>
    patientSplit(records, { fractions: { train: 0.5, val: 0.25, test: 0.25 }, seed }),
  plan: (root) => [{
    name: "Tiny test X-rays",
    source: "example.org",
    dir: join(root, "tiny-xrays"),
    files: [{
      url: "https://example.org/tiny/labels.csv",
      dest: join(root, "tiny-xrays", "labels.csv"),
    }],
  }],
};

Deno.test("real data: a third dataset: registered, loaded by key, split by patient, merged, planned", async () => {
  await using root = await tempDir();
  await Deno.mkdir(join(root.path, "tiny-xrays"));
  const rows = ["image,patient,finding"];
  for (let p = 0; p < 8; p++) {
    for (let i = 0; i < 2; i++) rows.push(`${p}-${i}.png,${p},${p % 2 ? "Effusion" : "Rickets"}`);
  }
  await Deno.writeTextFile(join(root.path, "tiny-xrays", "labels.csv"), rows.join("\n") + "\n");

  registerDataset(tiny);
  assertThrows(() => registerDataset(tiny), Error, "already registered");
  assertEquals(datasets().map((d) => d.info.key), [
    "covid-chestxray",
    "nih-chestxray14",
    "tiny-xrays",
  ]);
  const loaded = await loadDataset("tiny-xrays", root.path);
  assertEquals(loaded.records.length, 16);
  // its labels are in the shared vocabulary: a known finding kept, an unknown one "other"
  assertEquals(loaded.records[0].labels, ["other"]);
  assertEquals(loaded.records[2].labels, ["Effusion"]);

  const split = dataset("tiny-xrays").split(loaded.records, 3);
  assertPatientsDisjoint(split);
  assertEquals(split.train.length + split.val.length + split.test.length, 16);

  // merged with the COVID-19 collection: one list, one vocabulary, no branch on the source
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  const merged = mergeRecords(loaded.records, covid.records.slice(0, 10));
  assertEquals(merged.length, 26);
  const classes = ["Effusion", "COVID-19", "other"] as const;
  const vectors = merged.map((r) => labelVector(r, classes));
  assertEquals(vectors[2], [1, 0, 0]);
  assertEquals(
    vectors.slice(16).every((v) => v[1] === 1 || v[2] === 1 || v.every((x) => x === 0)),
    true,
  );

  // and the fetch plan includes it
  const plan = profileNeeds(PROFILES.smoke, root.path, {}, ["tiny-xrays"]);
  assertEquals(plan.map((p) => p.name), ["Tiny test X-rays"]);
});
