/** The per-class AUC table of a multi-label model. */
import { assertEquals } from "../assert.ts";
import { perClassAuc } from "../../lib/eval/per_class_auc.ts";

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
