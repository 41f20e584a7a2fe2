/**
 * The shared preprocessing (library and in-browser page alike): grey from RGBA, and the resize
 * — pixel-area averages when shrinking, bilinear when growing — on hand-computed cases.
 */
import { assertEquals } from "../assert.ts";
import { resizeGrey, rgbaToGrey } from "../../lib/data/preprocess.ts";

Deno.test("grey: Rec. 709 luma, alpha composited on black", () => {
  const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 200, 200, 200, 0]);
  assertEquals(Array.from(rgbaToGrey({ width: 4, height: 1, data: rgba })), [54, 182, 18, 0]);
});

Deno.test("resize: shrinking averages pixel areas, exactly", () => {
  // 4×2 → 2×2: pairs averaged along x; 3 → 2 along x: thirds split between outputs
  const grey = new Uint8Array([0, 100, 200, 50, 10, 10, 20, 20]);
  assertEquals(Array.from(resizeGrey(grey, 4, 2, 2)), [50, 125, 10, 20]);
  const three = new Uint8Array([0, 90, 180, 0, 90, 180]); // 3×2 → 2×2
  // output 0 covers [0, 1.5): (0·1 + 90·0.5)/1.5 = 30; output 1: (90·0.5 + 180)/1.5 = 150
  assertEquals(Array.from(resizeGrey(three, 3, 2, 2)), [30, 150, 30, 150]);
});

Deno.test("resize: growing interpolates between pixel centres; constant stays constant", () => {
  const two = new Uint8Array([0, 100, 0, 100]); // 2×2 → 4×4
  const out = Array.from(resizeGrey(two, 2, 2, 4));
  assertEquals(out.slice(0, 4), [0, 25, 75, 100]);
  const flat = resizeGrey(new Uint8Array(9).fill(77), 3, 3, 7);
  assertEquals(flat.every((v) => v === 77), true);
});
