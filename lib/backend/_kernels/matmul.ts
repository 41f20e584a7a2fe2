/**
 * BatchMatMul with transposed operands. The wasm kernel multiplies a transposed operand about
 * 40× slower than a plain one (measured: 1 vs 45 GFLOP/s per thread), and every matMul
 * gradient asks for one; transposing the operand first and multiplying plainly is far faster.
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { free, type Info, type KernelFunc, transpose, type Wasm } from "./wasm_util.ts";

/** Wrap the stock BatchMatMul so that it never multiplies a transposed operand. */
export function plainBatchMatMul(stock: KernelFunc): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as Wasm;
    const { a, b } = inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return stock({ inputs, attrs, backend });
    const a2 = transposeA ? transpose(wasm, a, swapLastTwo(a.shape.length)) : a;
    const b2 = transposeB ? transpose(wasm, b, swapLastTwo(b.shape.length)) : b;
    try {
      return stock({
        inputs: { a: a2, b: b2 },
        attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap,
        backend,
      });
    } finally {
      if (transposeA) free(wasm, a2);
      if (transposeB) free(wasm, b2);
    }
  };
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}
