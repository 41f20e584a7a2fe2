/**
 * Slice and SplitV that read the input in place. The stock wasm Slice first copies the whole
 * input out of the heap (`readSync`), which on the threaded build's shared memory is slow:
 * splitting a [8, 32, 32, 512] gradient in two — what every DenseNet concatenation does
 * backwards — took 21 ms; copying only the kept runs takes about 1 ms.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { alloc, type Info, type KernelFunc, view, type Wasm } from "./wasm_util.ts";

/** Slice of a float32 tensor (other dtypes use the stock kernel). */
export function viewSlice(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    if (x.dtype !== "float32") return stock(args);
    const { begin, size } = args.attrs as unknown as { begin: number[]; size: number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size);
    return sliceInPlace(args.backend as Wasm, x, b, s);
  };
}

/** SplitV of a float32 tensor along any axis. */
export function viewSplitV(stock: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as Info;
    if (x.dtype !== "float32") return stock(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as {
      numOrSizeSplits: number | number[];
      axis: number;
    };
    const a = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(
      x as tf.TensorInfo as tf.Tensor,
      numOrSizeSplits,
      a,
    );
    const begin = x.shape.map(() => 0);
    return sizes.map((n) => {
      const size = [...x.shape];
      size[a] = n;
      const out = sliceInPlace(args.backend as Wasm, x, [...begin], size);
      begin[a] += n;
      return out;
    });
  };
}

// Copy the contiguous runs of the slice: the innermost axes taken whole merge into one run.
function sliceInPlace(wasm: Wasm, x: Info, begin: number[], size: number[]): Info {
  const out = alloc(wasm, size);
  const src = view(wasm, x), dst = view(wasm, out);
  const shape = x.shape;
  const rank = shape.length;
  // run = product of the trailing axes that are taken whole, times the first partial axis
  let inner = rank - 1;
  let run = size[inner];
  while (inner > 0 && size[inner] === shape[inner] && begin[inner] === 0) {
    inner--;
    run *= size[inner];
  }
  const strides = tf.util.computeStrides(shape);
  const outer = size.slice(0, inner);
  const count = outer.reduce((p, d) => p * d, 1);
  const index = new Array(inner).fill(0);
  for (let r = 0; r < count; r++) {
    let from = inner < rank ? begin[inner] * (strides[inner] ?? 1) : 0;
    for (let d = 0; d < inner; d++) from += (begin[d] + index[d]) * strides[d];
    dst.set(src.subarray(from, from + run), r * run);
    for (let d = inner - 1; d >= 0; d--) { // odometer over the outer axes
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
