import { assertEquals, assertNotEquals } from "../assert.ts";
import { augment, type AugmentParams, augmentWith } from "../../lib/data/augment.ts";
import type { GreyImage } from "../../lib/data/images.ts";
import { Rng } from "../../lib/rng.ts";

const side = 32;
const image: GreyImage = {
  side,
  data: Uint8Array.from({ length: side * side }, (_, i) => (i % side) * 8), // horizontal ramp
};
const IDENTITY: AugmentParams = {
  flip: false,
  rotation: 0,
  shiftX: 0,
  shiftY: 0,
  scale: 1,
  shear: 0,
  brightness: 1,
  contrast: 1,
};

Deno.test("augment: identity parameters return the image unchanged", () => {
  assertEquals(augmentWith(image, IDENTITY).data, image.data);
});

Deno.test("augment: a flip mirrors each row", () => {
  const flipped = augmentWith(image, { ...IDENTITY, flip: true });
  for (let x = 0; x < side; x++) assertEquals(flipped.data[x], image.data[side - 1 - x]);
});

Deno.test("augment: a 90° rotation turns a horizontal ramp into a vertical one", () => {
  const turned = augmentWith(image, { ...IDENTITY, rotation: Math.PI / 2 });
  const mid = side / 2;
  const column = Array.from({ length: side - 2 }, (_, y) => turned.data[(y + 1) * side + mid]);
  const monotone = column.every((v, i) => i === 0 || Math.abs(v - column[i - 1]) <= 9);
  if (!monotone || Math.abs(column.at(-1)! - column[0]) < 200) {
    throw new Error(`expected a vertical ramp, got ${column}`);
  }
});

Deno.test("augment: brightness and contrast change intensities within [0, 255]", () => {
  const bright = augmentWith(image, { ...IDENTITY, brightness: 1.5 });
  assertEquals(bright.data[side - 1], 255); // clamped
  assertEquals(bright.data[2], Math.round(16 * 1.5));
  const flat = augmentWith(image, { ...IDENTITY, contrast: 0 });
  assertEquals(new Set(flat.data).size, 1);
});

Deno.test("augment: seeded — the same seed gives the same image, another seed another", () => {
  const a = augment(image, new Rng(5)).data;
  assertEquals(augment(image, new Rng(5)).data, a);
  assertNotEquals(augment(image, new Rng(6)).data, a);
});
