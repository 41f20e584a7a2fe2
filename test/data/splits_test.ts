import { assertEquals, assertThrows } from "../assert.ts";
import { join } from "node:path";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { covidSplit } from "../../lib/data/datasets/mod.ts";
import { nihSplit } from "../../lib/data/datasets/mod.ts";
import { loadNih } from "../../lib/data/datasets/mod.ts";
import { patientKey, type XrayRecord } from "../../lib/data/record.ts";
import { assertPatientsDisjoint, patientSplit } from "../../lib/data/splits.ts";
import { DATA_ROOT, once } from "../helpers.ts";

// the real data root, read when a test that needs it runs
const realData = once(async () => {
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  return { covid };
});

Deno.test("real data: covidSplit: patient-disjoint, seeded, stratified, near the target shares", async () => {
  const { covid } = await realData();
  const a = covidSplit(covid.records, 1);
  const b = covidSplit(covid.records, 1);
  assertEquals(a.test.map((r) => r.imageId), b.test.map((r) => r.imageId));
  const c = covidSplit(covid.records, 2);
  if (c.test.map((r) => r.imageId).join() === a.test.map((r) => r.imageId).join()) {
    throw new Error("different seeds gave the same test set");
  }
  assertPatientsDisjoint(a);
  const n = covid.records.length;
  assertEquals(a.train.length + a.val.length + a.test.length, n);
  for (const [name, share] of [["train", 0.6], ["val", 0.2], ["test", 0.2]] as const) {
    const got = a[name].length / n;
    if (Math.abs(got - share) > 0.05) throw new Error(`${name} share ${got}`);
    const covidShare = a[name].filter((r) => r.covid).length / a[name].length;
    // 427/531 = 0.80 overall; stratification keeps each split close to it
    if (Math.abs(covidShare - 0.804) > 0.08) throw new Error(`${name} COVID share ${covidShare}`);
  }
});

Deno.test("real data: nihSplit: the official test list stays the test set; validation is a patient cut", async () => {
  const nih = await loadNih({ dir: join(DATA_ROOT, "nih-chestxray14") });
  const s = nihSplit(nih.records, { seed: 3 });
  assertEquals(s.test.length, 415);
  assertEquals(s.test.every((r) => r.officialSplit === "test"), true);
  assertEquals(s.train.length + s.val.length, 1_252);
  assertPatientsDisjoint(s);
});

Deno.test("assertPatientsDisjoint catches a patient in two splits", () => {
  const r = (patientId: string): XrayRecord => ({
    source: "covid-chestxray",
    imageId: patientId,
    path: "",
    patientId,
    view: "PA",
    findings: [],
    findingText: "",
    labels: [],
  });
  assertThrows(
    () => assertPatientsDisjoint({ train: [r("1"), r("2")], test: [r("2")] }),
    Error,
    "patient covid-chestxray/2 appears in both the train and test splits",
  );
  assertThrows(
    () => patientSplit([r("1")], { fractions: { train: 0.5, val: 0.2, test: 0.2 }, seed: 0 }),
    Error,
    "sum to 1",
  );
  assertEquals(patientKey(r("9")), "covid-chestxray/9");
});
