/** ROC curve and AUC on hand-computed cases and against the Mann–Whitney probability. */
import { assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { auc, OneClassError, rocCurve } from "../../lib/eval/roc.ts";
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
