/**
 * The quality gate: a backbone whose validation scores carry no information about the findings
 * is not called pretrained, and every comparison resting on it is not testable; one that
 * learned passes. Verdicts of a family are Holm-adjusted and name what they cannot test.
 */
import { assertEquals } from "../assert.ts";
import type { XrayRecord } from "../../lib/data/record.ts";
import { PRETRAINED_NAME, pretrainingGate } from "../../lib/experiments/gate.ts";
import { decideFamily, scoreSpread } from "../../lib/experiments/verdict.ts";
import { Rng } from "../../lib/rng.ts";

const CLASSES = ["a", "b", "c"];

// 120 validation images of 120 patients; each class positive in a fifth of them
function validation(signal: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Array.from({ length: 120 }, () => CLASSES.map(() => (rng.chance(0.2) ? 1 : 0)));
  const scores = labels.map((l) => l.map((y) => rng.next() + signal * y));
  const records = labels.map((_, i): XrayRecord => ({
    source: "nih-chestxray14",
    imageId: `${i}.png`,
    path: "",
    patientId: String(i),
    view: "PA",
    findings: [],
    findingText: "",
    labels: [],
  }));
  return { scores, labels, records };
}

Deno.test("gate: a chance-level backbone is not called pretrained; a learned one is", () => {
  const chance = pretrainingGate(validation(0, 1), CLASSES, { updates: 155, resamples: 500 });
  assertEquals(chance.passed, false);
  assertEquals(
    chance.name,
    "ImageNet weights after 155 updates on ChestX-ray14 (no measurable learning)",
  );
  if (!(chance.ci![0] <= 0.5)) throw new Error(`chance-level CI ${chance.ci}`);
  const learned = pretrainingGate(validation(0.6, 2), CLASSES, { updates: 155, resamples: 500 });
  assertEquals([learned.passed, learned.name], [true, PRETRAINED_NAME]);
  if (!(learned.ci![0] > 0.5)) throw new Error(`learned CI ${learned.ci}`);
});

Deno.test("gate: too few positive patients for any finding means no pass", () => {
  const few = validation(1, 3);
  few.labels.forEach((l, i) => l.fill(i < 3 ? 1 : 0)); // 3 positive patients per class
  const gate = pretrainingGate(few, CLASSES, { updates: 10, resamples: 200 });
  assertEquals([gate.passed, gate.meanAuc, gate.findings], [false, undefined, 0]);
});

Deno.test("verdicts: a failed-gate or degenerate arm is not testable and leaves the Holm family", () => {
  const verdicts = decideFamily([
    { a: { arm: "A" }, b: { arm: "B" }, difference: 0.1, lo: 0.02, hi: 0.18, p: 0.01 },
    { a: { arm: "C", notTestable: "failed the gate" }, b: { arm: "B" }, p: 0.001 },
    { a: { arm: "A" }, b: { arm: "D" }, difference: 0.05, lo: -0.01, hi: 0.1, p: 0.03 },
  ]);
  assertEquals(verdicts.map((v) => v.testable), [true, false, true]);
  // two testable tests: 0.01 × 2 = 0.02, then max(0.02, 0.03 × 1) = 0.03
  assertEquals(verdicts.map((v) => v.pAdjusted), [0.02, undefined, 0.03]);
  assertEquals(verdicts[1].verdict, "not testable at this scale: failed the gate");
  assertEquals(verdicts[0].verdict, "A > B (Holm-adjusted p = 0.020)");
  assertEquals(scoreSpread([1, 1, 1, 1]).degenerate, true);
  assertEquals(scoreSpread([0.4990, 0.4991, 0.4990, 0.4991]).degenerate, true);
  assertEquals(scoreSpread([0.1, 0.5, 0.9, 0.3]).degenerate, false);
});
