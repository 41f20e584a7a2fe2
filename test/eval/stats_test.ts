/** Distributions: Student's t and the normal, CDFs and quantiles. */
import { assertAlmostEquals, assertEquals } from "../assert.ts";
import {
  meanInterval,
  normalCdf,
  quantile,
  studentTCdf,
  studentTQuantile,
} from "../../lib/eval/stats.ts";

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

Deno.test("normal CDF and quantiles", () => {
  assertAlmostEquals(normalCdf(0), 0.5, 1e-7);
  assertAlmostEquals(normalCdf(1.959964), 0.975, 1e-6);
  assertAlmostEquals(normalCdf(-1), 0.15865525, 1e-6);
  assertEquals(quantile([4, 1, 3, 2], 0.5), 2.5);
  assertEquals(quantile([4, 1, 3, 2], 0), 1);
  assertEquals(quantile([4, 1, 3, 2], 1), 4);
});
