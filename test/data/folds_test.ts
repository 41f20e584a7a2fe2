/**
 * Cross-validation folds: by patient, every patient is tested exactly once and never sits on
 * two sides of a fold; by image (the study's split, kept to measure its inflation), every image
 * is tested once while a patient's films can straddle the cut.
 */
import { assertEquals, assertThrows, assertTrue } from "../assert.ts";
import { crossValidationFolds, testFoldOf } from "../../lib/data/folds.ts";
import { patientKey, type XrayRecord } from "../../lib/data/record.ts";
import { Rng } from "../../lib/rng.ts";

type R = XrayRecord & { covid: boolean };

// 90 patients with 1–4 images each; a fifth of them "other"
function records(): R[] {
  const rng = new Rng(4);
  const out: R[] = [];
  for (let p = 0; p < 90; p++) {
    const covid = p % 5 !== 0;
    for (let i = 0; i < 1 + rng.int(4); i++) {
      out.push({
        source: "t",
        imageId: `p${p}-${i}`,
        path: `/x/p${p}-${i}.png`,
        patientId: `p${p}`,
        view: "PA",
        findings: [],
        findingText: "",
        labels: [],
        covid,
      });
    }
  }
  return out;
}

const stratum = (rs: readonly R[]) => (rs.some((r) => r.covid) ? "covid" : "other");

Deno.test("patient folds: each patient tested once, in one part of every fold", () => {
  const all = records();
  const folds = crossValidationFolds(all, { k: 5, seed: 0, stratum });
  assertEquals(folds.length, 5);
  const tested = folds.flatMap((f) => f.test.map((r) => r.imageId)).sort();
  assertEquals(tested, all.map((r) => r.imageId).sort());
  for (const f of folds) {
    assertEquals(f.train.length + f.val.length + f.test.length, all.length);
    const side = new Map<string, string>();
    for (const [part, rs] of Object.entries({ train: f.train, val: f.val, test: f.test })) {
      for (const r of rs) {
        const seen = side.get(patientKey(r));
        assertTrue(seen === undefined || seen === part, `patient ${r.patientId} in two parts`);
        side.set(patientKey(r), part);
      }
    }
    // the validation part of fold k is the test part of fold k + 1
    assertEquals(f.val, folds[(f.fold + 1) % 5].test);
  }
  // stratified: every fold tests some "other" patients; sizes within a few images of a fifth
  for (const f of folds) {
    assertTrue(f.test.some((r) => !r.covid));
    assertTrue(Math.abs(f.test.length - all.length / 5) <= 6, `fold of ${f.test.length} images`);
  }
  assertEquals(testFoldOf(folds).size, all.length);
  // seeded: the same seed deals the same folds, another seed others
  assertEquals(crossValidationFolds(all, { k: 5, seed: 0, stratum })[2].test, folds[2].test);
  assertTrue(
    JSON.stringify(crossValidationFolds(all, { k: 5, seed: 1, stratum })[2].test) !==
      JSON.stringify(folds[2].test),
  );
  assertThrows(() => crossValidationFolds(all, { k: 2, seed: 0 }));
});

Deno.test("image folds: each image tested once, and patients straddle the cut", () => {
  const all = records();
  const folds = crossValidationFolds(all, {
    k: 5,
    seed: 0,
    unit: "image",
    stratum: (rs) => (rs[0].covid ? "covid" : "other"),
  });
  const tested = folds.flatMap((f) => f.test.map((r) => r.imageId)).sort();
  assertEquals(tested, all.map((r) => r.imageId).sort());
  const straddling = folds.some((f) => {
    const trained = new Set(f.train.map(patientKey));
    return f.test.some((r) => trained.has(patientKey(r)));
  });
  assertTrue(straddling, "an image-level deal should put some patient on both sides");
});
