/**
 * Correcting for many tests. A chapter that runs a dozen comparisons will find one "significant"
 * difference by chance at 5% more often than not; Holm's step-down method keeps the chance of
 * any false finding in the family at α without assuming the tests are independent.
 * @module
 */

/**
 * Holm-adjusted p-values, in the input order: sort p ascending, multiply the k-th smallest
 * (k = 0…m−1) by m − k, carry the running maximum so that order is kept, cap at 1. A test is
 * significant at family-wise level α when its adjusted p ≤ α. Undefined entries (tests that
 * could not be run) stay undefined and do not count towards m.
 */
export function holm(pValues: readonly (number | undefined)[]): (number | undefined)[] {
  const present = pValues
    .map((p, i) => ({ p, i }))
    .filter((e): e is { p: number; i: number } => e.p !== undefined);
  for (const { p } of present) {
    if (!(p >= 0 && p <= 1)) throw new Error(`p-value ${p} is not in [0, 1]`);
  }
  const order = [...present].sort((a, b) => a.p - b.p);
  const m = order.length;
  const adjusted: (number | undefined)[] = pValues.map(() => undefined);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
