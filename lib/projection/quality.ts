/**
 * Numbers for maps, so that "the classes separate" is measured, not seen:
 * - trustworthiness (Venna & Kaski 2001): are a point's k nearest neighbours on the map also
 *   near it in the original space? 1 = perfectly, ~0.5 = as a random map.
 * - k-nearest-neighbour accuracy: how often the majority label of a point's k neighbours (the
 *   point itself left out) is its own label — how well the space groups the classes.
 * @module
 */

/** For each point, the other points ordered from nearest to farthest (squared Euclidean). */
function neighbourOrder(rows: readonly ArrayLike<number>[]): Int32Array[] {
  const n = rows.length;
  const dist = distances(rows);
  return Array.from({ length: n }, (_, i) => {
    const others = Int32Array.from({ length: n - 1 }, (_, k) => (k < i ? k : k + 1));
    const d = dist[i];
    return others.sort((a, b) => d[a] - d[b]);
  });
}

/** Trustworthiness T(k) of a map `low` of the points `high`. */
export function trustworthiness(
  high: readonly ArrayLike<number>[],
  low: readonly ArrayLike<number>[],
  k = 10,
): number {
  const n = high.length;
  if (k >= n / 2) throw new Error(`k = ${k} is too large for ${n} points`);
  const highOrder = neighbourOrder(high), lowOrder = neighbourOrder(low);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const rank = new Int32Array(n); // rank of each point among i's neighbours in the original space
    highOrder[i].forEach((j, r) => (rank[j] = r + 1));
    const trueNear = new Set(highOrder[i].subarray(0, k));
    for (const j of lowOrder[i].subarray(0, k)) if (!trueNear.has(j)) penalty += rank[j] - k;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/**
 * Leave-one-patient-out k-NN accuracy of `labels` in the space of `rows`: a point's neighbours
 * exclude every point of its own patient (`groups`), whose other films would otherwise vote for
 * it. Without `groups`, leave-one-out.
 */
export function knnAccuracy(
  rows: readonly ArrayLike<number>[],
  labels: readonly string[],
  k = 5,
  groups?: readonly string[],
): number {
  const correct = knnCorrect(rows, labels, k, groups);
  return correct.filter(Boolean).length / correct.length;
}

/**
 * For each point, whether the majority label of its k nearest neighbours (itself, and with
 * `groups` every point of its patient, left out) is its own label; ties go to the label with the
 * nearer neighbour. Per point, so that two spaces can be compared on the same points.
 */
export function knnCorrect(
  rows: readonly ArrayLike<number>[],
  labels: readonly string[],
  k = 5,
  groups?: readonly string[],
): boolean[] {
  return neighbourOrder(rows).map((near, i) => {
    const votes = new Map<string, number>();
    const others = groups ? near.filter((j) => groups[j] !== groups[i]) : near;
    for (const j of others.subarray(0, k)) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    if (votes.size === 0) return false; // every other point is the same patient's
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0][0];
    return best === labels[i];
  });
}

/** Each dimension to zero mean and unit variance (constant dimensions left at 0). */
export function standardise(rows: readonly ArrayLike<number>[]): Float32Array[] {
  const d = rows[0]?.length ?? 0, n = rows.length;
  const mu = new Float64Array(d), sd = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mu[j] += r[j] / n;
  for (const r of rows) for (let j = 0; j < d; j++) sd[j] += (r[j] - mu[j]) ** 2 / n;
  return rows.map((r) => Float32Array.from(r, (v, j) => (v - mu[j]) / (Math.sqrt(sd[j]) || 1)));
}

function distances(rows: readonly ArrayLike<number>[]): Float64Array[] {
  const n = rows.length, dim = rows[0]?.length ?? 0;
  const out = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const a = rows[i];
    for (let j = i + 1; j < n; j++) {
      const b = rows[j];
      let s = 0;
      for (let d = 0; d < dim; d++) s += (a[d] - b[d]) ** 2;
      out[i][j] = out[j][i] = s;
    }
  }
  return out;
}
