/**
 * The lung-removal transform on a synthetic image: exact pixels inside and outside the mask,
 * the fill being the mean of what is kept, the dilation a disc, and a mask of another size
 * refused rather than stretched.
 */
import { assertEquals, assertThrows } from "../assert.ts";
import { dilateMask, occlude } from "../../lib/explain/occlude.ts";

const side = 8;
// pixel value = its index (0…63); the "lungs" are the 2×2 block at rows 3–4, columns 3–4
const image = { side, data: Uint8Array.from({ length: side * side }, (_, i) => i) };
const inside = [3 * 8 + 3, 3 * 8 + 4, 4 * 8 + 3, 4 * 8 + 4];
const mask = {
  side,
  data: Uint8Array.from({ length: side * side }, (_, i) => (inside.includes(i) ? 1 : 0)),
  source: "test",
};

Deno.test("lungs removed: the mask filled with the mean of the rest, the rest untouched", () => {
  const out = occlude(image, mask, "outside-lungs");
  const rest = [...image.data].filter((_, i) => !inside.includes(i));
  const fill = Math.round(rest.reduce((a, b) => a + b, 0) / rest.length);
  for (let i = 0; i < side * side; i++) {
    assertEquals(out.data[i], inside.includes(i) ? fill : image.data[i], `pixel ${i}`);
  }
});

Deno.test("lungs only: everything outside the mask filled with the mean of the lungs", () => {
  const out = occlude(image, mask, "lungs-only");
  const fill = Math.round((27 + 28 + 35 + 36) / 4);
  for (let i = 0; i < side * side; i++) {
    assertEquals(out.data[i], inside.includes(i) ? image.data[i] : fill, `pixel ${i}`);
  }
});

Deno.test("dilation grows a mask by a disc; a mask of another size is refused", () => {
  const one = { side: 7, data: new Uint8Array(49), source: "t" };
  one.data[3 * 7 + 3] = 1;
  const grown = dilateMask(one, 1);
  const on = [...grown.data.keys()].filter((i) => grown.data[i]);
  assertEquals(on, [2 * 7 + 3, 3 * 7 + 2, 3 * 7 + 3, 3 * 7 + 4, 4 * 7 + 3]); // a plus: radius 1
  assertThrows(() => occlude(image, { ...one }, "outside-lungs"), Error, "do not fit");
});
