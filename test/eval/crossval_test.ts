/** The corrected resampled t-test (Nadeau–Bengio) of cross-validated differences. */
import { assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { correctedResampledTTest, studentTCdf } from "../../lib/eval/stats.ts";

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
