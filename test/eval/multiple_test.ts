/** Holm's adjustment for multiple comparisons. */
import { assertEquals, assertThrows } from "../assert.ts";
import { holm } from "../../lib/eval/multiple.ts";

Deno.test("Holm adjustment against hand-computed cases", () => {
  // m = 4: sorted 0.01, 0.02, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.04, 0.06, 0.06, 0.04 → monotone
  assertEquals(
    holm([0.03, 0.01, 0.04, 0.02]).map((p) => Number(p!.toFixed(10))),
    [0.06, 0.04, 0.06, 0.06],
  );
  // capped at 1; untestable comparisons stay undefined and do not count
  assertEquals(holm([0.5, undefined, 0.2]), [0.5, undefined, 0.4]);
  assertEquals(holm([0.9, 0.8]), [1, 1]);
  assertEquals(holm([]), []);
  assertThrows(() => holm([1.5]), Error, "not in [0, 1]");
});
