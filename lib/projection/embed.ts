/**
 * 2-D maps of a high-dimensional space: t-SNE (van der Maaten & Hinton 2008) and UMAP (McInnes
 * et al. 2018), both from DruidJS, a maintained library (exact t-SNE: fine for a few thousand
 * points, so no Barnes–Hut approximation was needed). For t-SNE we also report the quantity it
 * minimises, KL(P‖Q), computed here from the library's input affinities P and the final map.
 * @module
 */
import { Matrix, TSNE, UMAP } from "@saehrimnir/druidjs";

/** A computed map. */
export interface Embedding {
  readonly method: "t-SNE" | "UMAP";
  readonly points: [number, number][];
  readonly parameters: Record<string, number>;
  /** t-SNE only: KL(P‖Q) of the final map. */
  readonly klDivergence?: number;
  readonly seconds: number;
}

/** t-SNE of `rows` (one sample per row). */
export function tsne(
  rows: readonly ArrayLike<number>[],
  options: { perplexity?: number; iterations?: number; seed?: number } = {},
): Embedding {
  const started = performance.now();
  const perplexity = Math.min(options.perplexity ?? 30, Math.floor((rows.length - 1) / 3));
  const iterations = options.iterations ?? 1000;
  const model = new TSNE(Matrix.from(rows.map((r) => Array.from(r))), {
    perplexity,
    seed: options.seed ?? 1,
    d: 2,
  });
  model.init();
  const y = toPoints(model.transform(iterations));
  // deno-lint-ignore no-explicit-any
  const P = (model as any)._P as Matrix;
  return {
    method: "t-SNE",
    points: y,
    parameters: { perplexity, iterations },
    klDivergence: klDivergence(P, y),
    seconds: (performance.now() - started) / 1000,
  };
}

/** UMAP of `rows`. */
export function umap(
  rows: readonly ArrayLike<number>[],
  options: { neighbours?: number; minDist?: number; seed?: number } = {},
): Embedding {
  const started = performance.now();
  const neighbours = Math.min(options.neighbours ?? 15, rows.length - 1);
  const minDist = options.minDist ?? 0.1;
  const model = new UMAP(Matrix.from(rows.map((r) => Array.from(r))), {
    n_neighbors: neighbours,
    min_dist: minDist,
    seed: options.seed ?? 1,
    d: 2,
  });
  return {
    method: "UMAP",
    points: toPoints(model.transform()),
    parameters: { neighbours, minDist },
    seconds: (performance.now() - started) / 1000,
  };
}

/** KL(P‖Q) = Σ_{i≠j} p_ij log(p_ij / q_ij), with q from the Student-t kernel on the map. */
export function klDivergence(
  P: { entry(i: number, j: number): number },
  y: [number, number][],
): number {
  const n = y.length;
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) z += 1 / (1 + (y[i][0] - y[j][0]) ** 2 + (y[i][1] - y[j][1]) ** 2);
    }
  }
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const p = P.entry(i, j);
      if (p <= 1e-12) continue;
      const q = 1 / (1 + (y[i][0] - y[j][0]) ** 2 + (y[i][1] - y[j][1]) ** 2) / z;
      kl += p * Math.log(p / q);
    }
  }
  return kl;
}

function toPoints(m: unknown): [number, number][] {
  const matrix = m as {
    to2dArray?: number[][];
    shape: [number, number];
    entry(i: number, j: number): number;
  };
  const [n] = matrix.shape;
  return Array.from({ length: n }, (_, i) => [matrix.entry(i, 0), matrix.entry(i, 1)]);
}
