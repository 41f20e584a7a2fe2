/**
 * A self-organising map (Kohonen), as the study defines it. A grid of weight vectors w; for a
 * sample x the winner is the closest w_h, and every unit moves toward x by
 *
 *   Δw = η_t · h · (x − w),   h = exp(−d(w, w_h)² / 2σ_t²),
 *   σ_t = σ_0 · exp(−t² · log(4σ_0) / T²)        (t = 0 … T, so σ shrinks from σ_0 to 1/4)
 *
 * where d is the distance on the grid, and η_t falls linearly from a maximum to a minimum.
 * Batched: a batch of samples finds its winners with one matrix product, and the units move by
 * the average of the samples' pulls (the batch form of the same rule).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../rng.ts";

/** Training settings (the study's code: 15×15 or 20×20, η 0.8 → 0.05, σ_0 = 10). */
export interface SomOptions {
  readonly rows: number;
  readonly cols: number;
  /** Epochs T. */
  readonly epochs: number;
  readonly sigma0?: number;
  readonly learningRateMax?: number;
  readonly learningRateMin?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Called after each epoch with the quantisation and topographic errors. */
  readonly onEpoch?: (epoch: number, errors: SomErrors) => void;
}

/** How well a map fits its data. */
export interface SomErrors {
  /** Mean distance from each sample to its winner. */
  readonly quantisation: number;
  /** Share of samples whose two closest units are not neighbours on the grid (8-neighbourhood). */
  readonly topographic: number;
}

/** A trained map: unit weights [rows·cols, dim], row-major over the grid. */
export class SelfOrganisingMap {
  readonly rows: number;
  readonly cols: number;
  weights: tf.Tensor2D;
  /** Errors after each epoch. */
  readonly history: SomErrors[] = [];

  private constructor(rows: number, cols: number, weights: tf.Tensor2D) {
    this.rows = rows;
    this.cols = cols;
    this.weights = weights;
  }

  /** Train on `data` [n, dim] (rows are samples). */
  static async train(data: tf.Tensor2D, options: SomOptions): Promise<SelfOrganisingMap> {
    const { rows, cols, epochs: T } = options;
    const sigma0 = options.sigma0 ?? Math.max(rows, cols) / 2;
    const [etaMax, etaMin] = [options.learningRateMax ?? 0.8, options.learningRateMin ?? 0.05];
    const batch = options.batchSize ?? 32;
    const rng = new Rng(options.seed ?? 0);
    const n = data.shape[0];
    const units = rows * cols;
    // start from random samples: the map begins inside the data
    const start = Array.from({ length: units }, () => rng.int(n));
    const som = new SelfOrganisingMap(rows, cols, tf.gather(data, start) as tf.Tensor2D);
    const grid = gridSquaredDistances(rows, cols); // [units, units]
    for (let t = 0; t < T; t++) {
      const sigma = sigma0 * Math.exp((-(t * t) * Math.log(4 * sigma0)) / (T * T));
      const eta = T > 1 ? etaMax + ((etaMin - etaMax) * t) / (T - 1) : etaMax;
      const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
      for (let b = 0; b < n; b += batch) {
        const next = tf.tidy(() => {
          const x = tf.gather(data, order.slice(b, b + batch)) as tf.Tensor2D; // [B, dim]
          const winners = nearestUnits(x, som.weights, 1)[0]; // [B]
          const h = tf.exp(tf.div(tf.gather(grid, winners), -2 * sigma * sigma)); // [B, units]
          // Σ_b h_bu (x_b − w_u) / B, for every unit at once
          const pull = tf.sub(
            tf.matMul(h, x, true, false),
            tf.mul(tf.expandDims(tf.sum(h, 0), 1), som.weights),
          );
          return tf.add(som.weights, tf.mul(pull, eta / x.shape[0])) as tf.Tensor2D;
        });
        som.weights.dispose();
        som.weights = next;
      }
      const errors = await som.errors(data);
      som.history.push(errors);
      options.onEpoch?.(t, errors);
    }
    grid.dispose();
    return som;
  }

  /** Winner (best-matching unit) index of each sample. */
  async winners(data: tf.Tensor2D): Promise<number[]> {
    const best = tf.tidy(() => nearestUnits(data, this.weights, 1)[0]);
    const out = await best.array() as number[];
    best.dispose();
    return out;
  }

  /** Quantisation and topographic errors on `data`. */
  async errors(data: tf.Tensor2D): Promise<SomErrors> {
    const parts = tf.tidy(() => {
      const [best, dist] = nearestUnits(data, this.weights, 2, true);
      return [
        tf.slice(best, [0, 0], [-1, 1]),
        tf.slice(best, [0, 1], [-1, 1]),
        tf.sqrt(tf.relu(tf.slice(dist!, [0, 0], [-1, 1]))),
      ];
    });
    // read back asynchronously: a GPU backend has no synchronous read
    const [first, second, distance] = await Promise.all(
      parts.map((t) => t.array() as Promise<number[][]>),
    );
    tf.dispose(parts);
    let broken = 0, q = 0;
    for (let i = 0; i < first.length; i++) {
      const a = first[i][0], b = second[i][0];
      const dr = Math.abs(Math.floor(a / this.cols) - Math.floor(b / this.cols));
      const dc = Math.abs((a % this.cols) - (b % this.cols));
      if (Math.max(dr, dc) > 1) broken++;
      q += distance[i][0];
    }
    return { quantisation: q / first.length, topographic: broken / first.length };
  }

  /**
   * The hit map: per unit that wins any sample, how many it wins, their most common label,
   * and the counts of every label ("Edema: 3, COVID-19: 1").
   */
  hitMap(winners: readonly number[], labels: readonly string[]): {
    row: number;
    col: number;
    hits: number;
    label: string;
    detail: string;
  }[] {
    const byUnit = new Map<number, Map<string, number>>();
    winners.forEach((w, i) => {
      const counts = byUnit.get(w) ?? new Map<string, number>();
      counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
      byUnit.set(w, counts);
    });
    return [...byUnit.entries()].map(([unit, counts]) => {
      const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return {
        row: Math.floor(unit / this.cols),
        col: unit % this.cols,
        hits: sorted.reduce((a, [, n]) => a + n, 0),
        label: sorted[0][0],
        detail: sorted.map(([l, n]) => `${l}: ${n}`).join(", "),
      };
    });
  }

  /** U-matrix: mean distance from each unit to its grid neighbours (high = a boundary). */
  async uMatrix(): Promise<number[][]> {
    const w = await this.weights.array();
    const d = (a: number[], b: number[]) =>
      Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
    return Array.from({ length: this.rows }, (_, r) =>
      Array.from({ length: this.cols }, (_, c) => {
        const here = w[r * this.cols + c];
        const near: number[] = [];
        for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
          const rr = r + dr, cc = c + dc;
          if (rr >= 0 && rr < this.rows && cc >= 0 && cc < this.cols) {
            near.push(d(here, w[rr * this.cols + cc]));
          }
        }
        return near.reduce((a, b) => a + b, 0) / near.length;
      }));
  }

  dispose(): void {
    this.weights.dispose();
  }
}

// The k nearest units of each sample ([n, k] indices), by squared Euclidean distance computed
// as ‖x‖² − 2x·w + ‖w‖² with one matrix product.
function nearestUnits(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  k: number,
  withDistances = false,
): [tf.Tensor, tf.Tensor | undefined] {
  const d2 = tf.add(
    tf.sub(tf.sum(tf.square(x), 1, true), tf.mul(tf.matMul(x, w, false, true), 2)),
    tf.expandDims(tf.sum(tf.square(w), 1), 0),
  );
  const top = tf.topk(tf.neg(d2), k);
  const indices = k === 1 ? tf.reshape(top.indices, [-1]) : top.indices;
  return [indices, withDistances ? tf.neg(top.values) : undefined];
}

function gridSquaredDistances(rows: number, cols: number): tf.Tensor2D {
  const units = rows * cols;
  const out = new Float32Array(units * units);
  for (let a = 0; a < units; a++) {
    for (let b = 0; b < units; b++) {
      out[a * units + b] = (Math.floor(a / cols) - Math.floor(b / cols)) ** 2 +
        ((a % cols) - (b % cols)) ** 2;
    }
  }
  return tf.tensor2d(out, [units, units]);
}
