import { assertEquals, assertNotEquals } from "./assert.ts";
import { deriveSeed, Rng } from "../lib/rng.ts";

Deno.test("Rng: same seed, same sequence; state resumes the sequence", () => {
  const a = new Rng(42), b = new Rng(42);
  const first = [a.next(), a.next(), a.next()];
  assertEquals(first, [b.next(), b.next(), b.next()]);
  const resumed = Rng.fromState(a.state);
  assertEquals(resumed.next(), a.next());
  assertNotEquals(new Rng(1).next(), new Rng(2).next());
});

Deno.test("Rng: uniform values fill [0, 1) evenly; shuffle is a permutation", () => {
  const rng = new Rng(7);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 10000; i++) bins[Math.floor(rng.next() * 10)]++;
  for (const b of bins) if (b < 900 || b > 1100) throw new Error(`uneven bins ${bins}`);
  const items = Array.from({ length: 50 }, (_, i) => i);
  assertEquals(rng.shuffle(items).sort((x, y) => x - y), items);
});

Deno.test("deriveSeed separates labels", () => {
  assertNotEquals(deriveSeed(1, "epoch", 1), deriveSeed(1, "epoch", 2));
  assertEquals(deriveSeed(1, "a", 3), deriveSeed(1, "a", 3));
});
