/** Small statistics helpers: the normal CDF and percentiles. @module */

/** Standard normal cumulative distribution Φ(z) (erf by Abramowitz & Stegun 7.1.26, |error| < 2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The q-quantile (0…1) of values, linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error("quantile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Mean and sample standard deviation (n − 1). */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) throw new Error("mean of no values");
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd };
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (via the regularised incomplete beta). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The q-quantile of Student's t (bisection on the CDF; |error| < 1e-10). */
export function studentTQuantile(q: number, df: number): number {
  if (!(q > 0 && q < 1)) throw new Error(`quantile level ${q} must be in (0, 1)`);
  let lo = -1e3, hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The mean of a few values (e.g. one AUC per split) with a t-based 95% (or `level`) interval. */
export function meanInterval(
  values: readonly number[],
  level = 0.95,
): { mean: number; sd: number; lo: number; hi: number; n: number } {
  const { mean, sd } = meanSd(values);
  const n = values.length;
  if (n < 2) return { mean, sd, lo: NaN, hi: NaN, n };
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * sd / Math.sqrt(n);
  return { mean, sd, lo: mean - half, hi: mean + half, n };
}

/**
 * Paired test over repeated random splits (Nadeau & Bengio 2003): `differences[j]` is A − B on
 * split j. Splits share training and test patients, so the plain t-test over them is far too
 * confident; the corrected variance is (1/J + nTest/nTrain)·s². Two-sided p, and the
 * corrected 95% interval of the mean difference.
 */
export function correctedResampledTTest(
  differences: readonly number[],
  sizes: { readonly train: number; readonly test: number },
  level = 0.95,
): { mean: number; lo: number; hi: number; t: number; df: number; p: number } {
  const J = differences.length;
  if (J < 2) throw new Error(`a test over splits needs at least 2 splits, got ${J}`);
  const { mean, sd } = meanSd(differences);
  const se = Math.sqrt((1 / J + sizes.test / sizes.train) * sd * sd);
  const df = J - 1;
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  if (se === 0) {
    return { mean, lo: mean, hi: mean, t: mean === 0 ? 0 : Infinity, df, p: mean === 0 ? 1 : 0 };
  }
  const t = mean / se;
  const p = Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
  return { mean, lo: mean - half, hi: mean + half, t, df, p };
}

// Regularised incomplete beta I_x(a, b) by its continued fraction (Numerical Recipes §6.4).
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  if (x < (a + 1) / (a + b + 2)) return front * betaFraction(x, a, b) / a;
  return 1 - front * betaFraction(1 - x, b, a) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const even of [true, false]) {
      const num = even
        ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
      if (!even && Math.abs(d * c - 1) < 1e-15) return h;
    }
  }
  return h;
}

// Lanczos approximation of log Γ(x), x > 0 (g = 7, n = 9; relative error ~1e-15).
function logGamma(x: number): number {
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
