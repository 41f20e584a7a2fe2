/**
 * The quality gate: a backbone whose validation scores carry no information about the findings
 * is not called pretrained, and every comparison resting on it is not testable; one that
 * learned passes. Verdicts of a family are Holm-adjusted and name what they cannot test.
 */
import { assertAlmostEquals, assertEquals, assertTrue } from "../assert.ts";
import type { XrayRecord } from "../../lib/data/record.ts";
import { PRETRAINED_NAME, pretrainingGate } from "../../lib/experiments/gate.ts";
import { decideFamily, decidePrimary, scoreSpread } from "../../lib/experiments/verdict.ts";
import { learnedRule } from "../../lib/experiments/learned.ts";
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
  // differences with a normal reference (df Infinity): p = 2(1 − Φ(|d|/se))
  const verdicts = decideFamily([
    { a: { arm: "A" }, b: { arm: "B" }, difference: 0.1, se: 0.1 / 2.5758, df: Infinity },
    { a: { arm: "C", notTestable: "failed the gate" }, b: { arm: "B" }, difference: 1, se: 0.01 },
    { a: { arm: "A" }, b: { arm: "D" }, difference: 0.05, se: 0.05 / 2.1701, df: Infinity },
  ]);
  assertEquals(verdicts.map((v) => v.testable), [true, false, true]);
  // raw p 0.01 and 0.03; two testable tests: 0.01 × 2 = 0.02, then max(0.02, 0.03 × 1) = 0.03
  assertAlmostEquals(verdicts[0].p!, 0.01, 1e-5);
  assertAlmostEquals(verdicts[0].pAdjusted!, 0.02, 1e-5);
  assertAlmostEquals(verdicts[2].pAdjusted!, 0.03, 1e-5);
  assertEquals(verdicts[1].pAdjusted, undefined);
  assertEquals(verdicts[1].verdict, "not testable at this scale: failed the gate");
  assertEquals(verdicts[0].verdict, "A > B (Holm p = 0.020)");
  assertEquals(verdicts.map((v) => v.shown), [true, false, true]);
  // the interval is at the level of its Holm step: 1 − 0.05/2 for the first, 1 − 0.05/1 next
  assertAlmostEquals(verdicts[0].level!, 0.975, 1e-12);
  assertAlmostEquals(verdicts[2].level!, 0.95, 1e-12);
  // and it excludes 0 exactly when the step rejects (p 0.01 < 0.025; p 0.03 < 0.05)
  assertTrue(verdicts[0].lo! > 0 && verdicts[2].lo! > 0);
  assertEquals(scoreSpread([1, 1, 1, 1]).degenerate, true);
  assertEquals(scoreSpread([0.4990, 0.4991, 0.4990, 0.4991]).degenerate, true);
  assertEquals(scoreSpread([0.1, 0.5, 0.9, 0.3]).degenerate, false);
});

Deno.test("primary comparison: tested alone at 0.05, its interval and p from one t test", () => {
  // a t statistic of 3 on 4 degrees of freedom: two-sided p = 0.0400
  const v = decidePrimary({ a: { arm: "A" }, b: { arm: "B" }, difference: 0.06, se: 0.02, df: 4 });
  assertEquals(v.role, "primary");
  assertAlmostEquals(v.p!, 0.03995, 1e-4);
  assertEquals(v.pAdjusted, v.p);
  assertTrue(v.shown);
  // 95% t interval on 4 df: ± 2.776 × 0.02
  assertAlmostEquals(v.lo!, 0.06 - 2.7764 * 0.02, 1e-4);
  assertAlmostEquals(v.hi!, 0.06 + 2.7764 * 0.02, 1e-4);
  // the same difference in a family of three would not survive Holm at its step
  const family = decideFamily([
    { a: { arm: "A" }, b: { arm: "B" }, difference: 0.06, se: 0.02, df: 4 },
    { a: { arm: "A" }, b: { arm: "C" }, difference: 0.001, se: 0.02, df: 4 },
    { a: { arm: "B" }, b: { arm: "C" }, difference: 0.002, se: 0.02, df: 4 },
  ]);
  assertEquals(family[0].shown, false);
  assertTrue(family[0].lo! < 0, "its 98.3% interval includes 0");
});

Deno.test("learn rule: an arm learned only when its interval lies above 0.5", () => {
  assertEquals(learnedRule({ estimate: 0.73, lo: 0.61, hi: 0.84 }).learned, true);
  assertEquals(learnedRule({ estimate: 0.64, lo: 0.46, hi: 0.81 }).learned, false);
  assertEquals(learnedRule({ estimate: 0.6, lo: 0.5, hi: 0.7 }).learned, false);
  assertEquals(learnedRule({ estimate: 0.6, lo: NaN, hi: NaN }).learned, false);
  assertTrue(learnedRule({ estimate: 0.64, lo: 0.46, hi: 0.81 }).reason.includes("0.640"));
});
