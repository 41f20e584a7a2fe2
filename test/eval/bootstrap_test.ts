/** Bootstrap intervals that resample patients, and the paired bootstrap of two models. */
import { assertEquals } from "../assert.ts";
import { bootstrapAuc, pairedBootstrapAucDifference } from "../../lib/eval/bootstrap.ts";
import { Rng } from "../../lib/rng.ts";

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
