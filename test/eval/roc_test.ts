/** ROC/AUC on hand-computed cases, CIs that resample patients, DeLong against a reference. */
import { assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  auc,
  bootstrapAuc,
  correctedResampledTTest,
  delongTest,
  delongVariance,
  holm,
  meanInterval,
  normalCdf,
  OneClassError,
  pairedBootstrapAucDifference,
  perClassAuc,
  quantile,
  rocCurve,
  studentTCdf,
  studentTQuantile,
} from "../../lib/eval/mod.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("AUC of hand-computed cases", () => {
  // 3 of the 4 positive–negative pairs are ordered correctly
  assertAlmostEquals(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75, 1e-12);
  assertEquals(auc([0.2, 0.9], [0, 1]), 1);
  assertEquals(auc([0.9, 0.2], [0, 1]), 0);
  // ties count ½: pairs (2>1)=1, (2=2)=½, (3>1)=1, (3>2)=1 → 3.5 / 4
  assertAlmostEquals(auc([1, 2, 2, 3], [0, 0, 1, 1]), 0.875, 1e-12);
  // a constant score carries no information
  assertEquals(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
});

Deno.test("ROC curve: one point per distinct score, ties make one diagonal step", () => {
  const curve = rocCurve([1, 2, 2, 3], [0, 0, 1, 1]);
  assertEquals(
    curve.map((p) => [p.fpr, p.tpr, p.threshold]),
    [[0, 0, Infinity], [0, 0.5, 3], [0.5, 1, 2], [1, 1, 1]],
  );
});

Deno.test("AUC equals the Mann–Whitney probability on random scores", () => {
  const rng = new Rng(3);
  const labels = Array.from({ length: 200 }, () => (rng.chance(0.3) ? 1 : 0));
  // rounded scores force many ties
  const scores = labels.map((y) => Math.round((rng.next() + 0.4 * y) * 10) / 10);
  let wins = 0, pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  assertAlmostEquals(auc(scores, labels), wins / pairs, 1e-12);
});

Deno.test("AUC rejects one-class labels, NaN scores and non-binary labels", () => {
  assertThrows(() => auc([0.1, 0.2], [1, 1]), OneClassError, "2 positives, 0 negatives");
  assertThrows(() => auc([0.1, NaN], [0, 1]), Error, "score 1 is NaN");
  assertThrows(() => auc([0.1, 0.2], [0, 2]), Error, "not 0 or 1");
  assertThrows(() => auc([0.1], [0, 1]), Error, "1 scores but 2 labels");
});

// Reference values from an independent implementation (Sun & Xu 2014 midrank DeLong, in
// Python); these labels and scores include ties.
const LABELS = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0];
const A = [0.9, 0.8, 0.7, 0.55, 0.3, 0.6, 0.2, 0.1, 0.4, 0.35, 0.5, 0.65, 0.05, 0.45, 0.3];
const B = [0.7, 0.9, 0.3, 0.5, 0.6, 0.2, 0.4, 0.1, 0.8, 0.25, 0.3, 0.45, 0.15, 0.5, 0.5];

Deno.test("DeLong test matches the reference implementation", () => {
  const r = delongTest(A, B, LABELS);
  assertAlmostEquals(r.aucA, 0.8660714285714286, 1e-12);
  assertAlmostEquals(r.aucB, 0.8125, 1e-12);
  assertAlmostEquals(r.z, 0.32915117911110736, 1e-9);
  assertAlmostEquals(r.p, 0.742041422089593, 1e-6);
  assertAlmostEquals(delongVariance(A, LABELS), 0.009399295432458698, 1e-12);
  // a model compared with itself differs by nothing
  assertAlmostEquals(delongTest(A, A, LABELS).p, 1, 1e-6);
});

Deno.test("bootstrap CI: contains the AUC, and patient clusters widen it", () => {
  const rng = new Rng(11);
  // 40 patients × 5 near-identical images: images of a patient are not independent
  const scores: number[] = [], labels: number[] = [], groups: string[] = [];
  for (let p = 0; p < 40; p++) {
    const y = p % 2;
    const base = rng.next() + 0.5 * y;
    for (let k = 0; k < 5; k++) {
      scores.push(base + 0.01 * rng.next());
      labels.push(y);
      groups.push(`p${p}`);
    }
  }
  const byImage = bootstrapAuc(scores, labels, { resamples: 500, seed: 1 });
  const byPatient = bootstrapAuc(scores, labels, { groups, resamples: 500, seed: 1 });
  for (const ci of [byImage, byPatient]) {
    if (!(ci.lo <= ci.auc && ci.auc <= ci.hi)) {
      throw new Error(`CI ${ci.lo}–${ci.hi} misses ${ci.auc}`);
    }
  }
  const width = (ci: { lo: number; hi: number }) => ci.hi - ci.lo;
  if (!(width(byPatient) > 1.5 * width(byImage))) {
    throw new Error(`patient CI ${width(byPatient)} not wider than image CI ${width(byImage)}`);
  }
  // seeded: the same call gives the same interval
  assertEquals(bootstrapAuc(scores, labels, { groups, resamples: 500, seed: 1 }), byPatient);
});

Deno.test("paired bootstrap: identical models do not differ, a better model does", () => {
  const rng = new Rng(5);
  const labels = Array.from({ length: 300 }, (_, i) => i % 2);
  const good = labels.map((y) => y + rng.next());
  const noise = labels.map(() => rng.next());
  const same = pairedBootstrapAucDifference(good, good, labels, { resamples: 300 });
  assertEquals([same.difference, same.lo, same.hi, same.p], [0, 0, 0, 1]);
  const diff = pairedBootstrapAucDifference(good, noise, labels, { resamples: 300 });
  if (!(diff.lo > 0 && diff.p < 0.01)) {
    throw new Error(`no difference found: ${JSON.stringify(diff)}`);
  }
});

Deno.test("per-class table: undefined AUC for a class with no positives, mean over the rest", () => {
  const scores = [[0.9, 0.1, 0.3], [0.2, 0.8, 0.3], [0.7, 0.4, 0.3], [0.1, 0.6, 0.3]];
  const labels = [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0]];
  const table = perClassAuc(scores, labels, ["a", "b", "c"], {
    resamples: 200,
    minPositivePatients: 1,
  });
  assertEquals(table.rows.map((r) => r.auc), [1, 1, undefined]);
  assertEquals(table.rows.map((r) => r.status), ["ok", "ok", "one-class"]);
  assertEquals(table.rows[2].positives, 0);
  assertEquals([table.meanAuc, table.classesWithAuc], [1, 2]);
});

Deno.test("per-class table: positives counted in patients; fewer than 5 patients get no AUC", () => {
  // class a: images 0–5 positive; class b: images 0–4 positive; images 6–11 negative for both
  const labels = Array.from({ length: 12 }, (_, i) => [i < 6 ? 1 : 0, i < 5 ? 1 : 0]);
  const scores = labels.map((l, i) => [l[0] + 0.01 * i, l[1] - 0.01 * i]);
  const negatives = ["n1", "n2", "n3", "n4", "n5", "n6"];
  // three patients with two images each: too few for both classes
  const few = perClassAuc(scores, labels, ["a", "b"], {
    groups: ["p1", "p1", "p2", "p2", "p3", "p3", ...negatives],
    resamples: 100,
  });
  assertEquals(few.rows.map((r) => [r.positives, r.positivePatients, r.status]), [
    [6, 3, "too-few"],
    [5, 3, "too-few"],
  ]);
  assertEquals([few.meanAuc, few.classesWithAuc], [undefined, 0]);
  // five or six patients: enough
  const enough = perClassAuc(scores, labels, ["a", "b"], {
    groups: ["p1", "p2", "p3", "p4", "p5", "p6", ...negatives],
    resamples: 100,
  });
  assertEquals(enough.rows.map((r) => [r.positivePatients, r.status]), [[6, "ok"], [5, "ok"]]);
  assertEquals(enough.classesWithAuc, 2);
});

Deno.test("Holm adjustment against hand-computed cases", () => {
  // m = 4: sorted 0.01, 0.02, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.04, 0.06, 0.06, 0.04 → monotone
  assertEquals(
    holm([0.03, 0.01, 0.04, 0.02]).map((p) => Number(p!.toFixed(10))),
    [0.06, 0.04, 0.06, 0.06],
  );
  // capped at 1; untestable comparisons stay undefined and do not count
  assertEquals(holm([0.5, undefined, 0.2]), [0.5, undefined, 0.4]);
  assertEquals(holm([0.9, 0.8]), [1, 1]);
  assertEquals(holm([]), []);
  assertThrows(() => holm([1.5]), Error, "not in [0, 1]");
});

Deno.test("Student's t: CDF and quantiles against tables; the mean of a few splits", () => {
  assertAlmostEquals(studentTCdf(0, 3), 0.5, 1e-12);
  assertAlmostEquals(studentTCdf(12.7062, 1), 0.975, 1e-5);
  assertAlmostEquals(studentTCdf(2.7764, 4), 0.975, 1e-5);
  assertAlmostEquals(studentTCdf(-2.2281, 10), 0.025, 1e-5);
  assertAlmostEquals(studentTCdf(1.96, 1e6), 0.975, 1e-4);
  assertAlmostEquals(studentTQuantile(0.975, 2), 4.3027, 1e-4);
  const m = meanInterval([0.6, 0.7, 0.8]);
  // mean 0.7, sd 0.1, half-width 4.3027 · 0.1 / √3
  assertAlmostEquals(m.mean, 0.7, 1e-12);
  assertAlmostEquals(m.hi - m.mean, 4.3027 * 0.1 / Math.sqrt(3), 1e-4);
});

Deno.test("corrected resampled t-test (Nadeau–Bengio) by hand", () => {
  // differences 0.1, 0.2, 0.3: mean 0.2, sd 0.1; train 60, test 20 → se = 0.1·√(1/3 + 1/3)
  const r = correctedResampledTTest([0.1, 0.2, 0.3], { train: 60, test: 20 });
  const se = 0.1 * Math.sqrt(2 / 3);
  assertAlmostEquals(r.t, 0.2 / se, 1e-9);
  assertEquals(r.df, 2);
  assertAlmostEquals(r.p, 2 * (1 - studentTCdf(0.2 / se, 2)), 1e-12);
  // the correction makes it less confident than the naive t-test over splits
  const naive = 2 * (1 - studentTCdf(0.2 / (0.1 / Math.sqrt(3)), 2));
  if (!(r.p > naive)) throw new Error(`corrected p ${r.p} not above naive ${naive}`);
  assertAlmostEquals(r.hi - r.mean, 4.3027 * se, 1e-4);
  assertThrows(() => correctedResampledTTest([0.1], { train: 1, test: 1 }), Error, "2 splits");
});

Deno.test("normal CDF and quantiles", () => {
  assertAlmostEquals(normalCdf(0), 0.5, 1e-7);
  assertAlmostEquals(normalCdf(1.959964), 0.975, 1e-6);
  assertAlmostEquals(normalCdf(-1), 0.15865525, 1e-6);
  assertEquals(quantile([4, 1, 3, 2], 0.5), 2.5);
  assertEquals(quantile([4, 1, 3, 2], 0), 1);
  assertEquals(quantile([4, 1, 3, 2], 1), 4);
});
