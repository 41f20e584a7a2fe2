/** DeLong's test of two correlated AUCs against a reference implementation. */
import { assertAlmostEquals } from "../assert.ts";
import { delongTest, delongVariance } from "../../lib/eval/delong.ts";

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
