/**
 * The SOM learns (its error falls) and keeps topology on a synthetic 2-D grid; t-SNE separates
 * well-separated clusters; trustworthiness and k-NN accuracy behave at their extremes.
 */
import { assertAlmostEquals, assertEquals } from "../assert.ts";
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { tsne, umap } from "../../lib/projection/embed.ts";
import { knnAccuracy, trustworthiness } from "../../lib/projection/quality.ts";
import { SelfOrganisingMap } from "../../lib/projection/som.ts";
import { Rng } from "../../lib/rng.ts";

await initBackend();

Deno.test("SOM: quantisation error falls over epochs; a 2-D square unfolds without tangles", async () => {
  const rng = new Rng(1);
  const data = tf.tensor2d(Array.from({ length: 600 }, () => [rng.next(), rng.next()]));
  const som = await SelfOrganisingMap.train(data, {
    rows: 8,
    cols: 8,
    epochs: 12,
    sigma0: 4,
    seed: 2,
  });
  const q = som.history.map((e) => e.quantisation);
  if (!(q[q.length - 1] < 0.5 * q[0])) {
    throw new Error(`quantisation error ${q[0]} → ${q[q.length - 1]}`);
  }
  const last = som.history[som.history.length - 1];
  if (!(last.topographic < 0.1)) throw new Error(`topographic error ${last.topographic}`);
  // grid neighbours hold nearby weights: the U-matrix is small compared with the square's side
  const u = (await som.uMatrix()).flat();
  if (!(Math.max(...u) < 0.4)) throw new Error(`U-matrix max ${Math.max(...u)}`);
  // the map spans the square (SOMs pull in at the border, so not all the way to the corners;
  // a collapsed map would sit about 0.7 from every corner)
  const w = som.weights.arraySync();
  for (const [cx, cy] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    const nearest = Math.min(...w.map(([a, b]) => Math.hypot(a - cx, b - cy)));
    if (!(nearest < 0.3)) throw new Error(`corner (${cx}, ${cy}) is ${nearest} from the map`);
  }
  assertEquals((await som.winners(data)).length, 600);
  som.dispose();
  data.dispose();
});

function clusters(perCluster: number, dim: number, seed: number) {
  const rng = new Rng(seed);
  const rows: number[][] = [], labels: string[] = [];
  for (let c = 0; c < 3; c++) {
    const centre = Array.from({ length: dim }, () => rng.uniform(-10, 10));
    for (let i = 0; i < perCluster; i++) {
      rows.push(centre.map((m) => m + rng.uniform(-1, 1)));
      labels.push(`c${c}`);
    }
  }
  return { rows, labels };
}

Deno.test("t-SNE and UMAP separate well-separated clusters; KL and perplexity reported", () => {
  const { rows, labels } = clusters(25, 30, 3);
  const t = tsne(rows, { perplexity: 10, iterations: 400, seed: 1 });
  assertEquals(t.points.length, 75);
  assertEquals(knnAccuracy(t.points, labels, 5), 1);
  if (!(t.klDivergence! > 0 && t.klDivergence! < 2)) throw new Error(`KL ${t.klDivergence}`);
  assertEquals(t.parameters.perplexity, 10);
  const u = umap(rows, { neighbours: 10, seed: 1 });
  assertEquals(knnAccuracy(u.points, labels, 5), 1);
});

Deno.test("trustworthiness: 1 for the identity, lower for a shuffled map; k-NN accuracy", () => {
  const { rows, labels } = clusters(20, 5, 4);
  assertAlmostEquals(trustworthiness(rows, rows, 5), 1, 1e-12);
  const rng = new Rng(5);
  const shuffled = rng.shuffle(rows);
  if (!(trustworthiness(rows, shuffled, 5) < 0.7)) {
    throw new Error("a shuffled map looks trustworthy");
  }
  assertEquals(knnAccuracy(rows, labels, 5), 1);
  assertEquals(knnAccuracy(rows, rng.shuffle(labels), 5) < 0.8, true);
});

Deno.test("k-NN leaves the whole patient out: a patient's own films cannot vote for it", () => {
  // 20 patients, two near-identical films each; labels at random, so only a patient's own other
  // film can "predict" its label
  const rng = new Rng(11);
  const rows: number[][] = [], labels: string[] = [], groups: string[] = [];
  for (let p = 0; p < 20; p++) {
    const centre = [rng.next() * 100, rng.next() * 100];
    const label = rng.next() < 0.5 ? "a" : "b";
    for (let i = 0; i < 2; i++) {
      rows.push([centre[0] + 0.01 * i, centre[1]]);
      labels.push(label);
      groups.push(`p${p}`);
    }
  }
  assertEquals(knnAccuracy(rows, labels, 1), 1); // leave one image out: the twin always votes
  const lopo = knnAccuracy(rows, labels, 1, groups);
  assertEquals(lopo < 0.8, true, `leave one patient out: ${lopo}`);
});
