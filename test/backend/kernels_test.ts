/**
 * The project's wasm kernels against the pure-JS cpu backend (the reference): convolution
 * gradients over many shapes, reductions, transposed matrix products, within 1e-4.
 */
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { CONV_SHAPES } from "./conv_shapes.ts";

await initBackend({ backend: "wasm" });
// the cpu backend (the reference here) greets Node users once; not needed in test output
(tf.findBackend("cpu") as unknown as { firstUse: boolean }).firstUse = false;

/** Run `f` on cpu and on wasm with the same inputs; the largest absolute difference. */
function maxAbsDiff(
  inputs: () => tf.Tensor[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): number {
  const results: Float32Array[][] = [];
  for (const backend of ["cpu", "wasm"]) {
    tf.setBackend(backend);
    results.push(tf.tidy(() => {
      const out = f(...inputs());
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    }));
  }
  tf.setBackend("wasm");
  let worst = 0;
  results[0].forEach((ref, i) => {
    if (ref.length !== results[1][i].length) throw new Error(`output ${i}: sizes differ`);
    for (let k = 0; k < ref.length; k++) {
      worst = Math.max(worst, Math.abs(ref[k] - results[1][i][k]));
    }
  });
  return worst;
}

function check(name: string, diff: number, tolerance = 1e-4): void {
  if (!(diff <= tolerance)) throw new Error(`${name}: max abs error ${diff} > ${tolerance}`);
}

for (const [n, side, ci, co, k, s, pad] of CONV_SHAPES) {
  Deno.test(`conv2d gradients ${k}×${k}/${s} ${pad} on [${n},${side},${side},${ci}]→${co}`, () => {
    const inputs = () => [
      tf.randomNormal([n, side, side, ci], 0, 1, "float32", 1),
      tf.randomNormal([k, k, ci, co], 0, 1, "float32", 2),
    ];
    const grads = (x: tf.Tensor, w: tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
        // a non-uniform upstream gradient, so every output position matters
        const weights = tf.div(tf.reshape(tf.range(1, 1 + y.size), y.shape), y.size);
        return tf.sum(tf.mul(y, weights));
      })([x, w]);
    check("dx and dW", maxAbsDiff(inputs, grads));
  });
}

Deno.test("sum and mean over leading, middle and trailing axes", () => {
  const inputs = () => [tf.randomNormal([4, 6, 5, 7], 0, 1, "float32", 3)];
  for (const axes of [[0], [0, 1], [0, 1, 2], [1, 2], [3], [2, 3], [0, 1, 2, 3]]) {
    for (const keepDims of [false, true]) {
      check(`sum ${axes}`, maxAbsDiff(inputs, (x) => tf.sum(x, axes, keepDims)));
      check(`mean ${axes}`, maxAbsDiff(inputs, (x) => tf.mean(x, axes, keepDims)));
    }
  }
  // integer sums keep the stock kernel
  const ints = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32");
  if (tf.sum(ints, 0).dtype !== "int32") throw new Error("int sum changed dtype");
});

Deno.test("matMul with transposed operands, and batched", () => {
  const inputs = () => [
    tf.randomNormal([5, 7], 0, 1, "float32", 4),
    tf.randomNormal([7, 3], 0, 1, "float32", 5),
  ];
  check("plain", maxAbsDiff(inputs, (a, b) => tf.matMul(a, b)));
  check("aᵀ", maxAbsDiff(inputs, (a, b) => tf.matMul(tf.transpose(a), b, true, false)));
  check("bᵀ", maxAbsDiff(inputs, (a, b) => tf.matMul(a, tf.transpose(b), false, true)));
  check(
    "aᵀbᵀ",
    maxAbsDiff(inputs, (a, b) => tf.matMul(tf.transpose(a), tf.transpose(b), true, true)),
  );
  const batched = () => [
    tf.randomNormal([3, 5, 7], 0, 1, "float32", 6),
    tf.randomNormal([3, 4, 7], 0, 1, "float32", 7),
  ];
  check("batched bᵀ", maxAbsDiff(batched, (a, b) => tf.matMul(a, b, false, true)));
});

Deno.test("slice and split along every axis, crops and whole tensors", () => {
  const inputs = () => [tf.randomNormal([3, 5, 6, 7], 0, 1, "float32", 8)];
  const cases: [number[], number[]][] = [
    [[0, 0, 0, 2], [-1, -1, -1, 3]],
    [[0, 1, 1, 0], [-1, 3, 4, -1]],
    [[1, 0, 0, 0], [2, -1, -1, -1]],
    [[0, 0, 0, 0], [-1, -1, -1, -1]],
    [[2, 4, 5, 6], [1, 1, 1, 1]],
  ];
  for (const [begin, size] of cases) {
    check(`slice ${begin} ${size}`, maxAbsDiff(inputs, (x) => tf.slice(x, begin, size)), 0);
  }
  for (const axis of [0, 1, 2, 3]) {
    const splits = axis === 3 ? [2, 4, 1] : axis === 0 ? [1, 2] : [2, -1];
    check(`split axis ${axis}`, maxAbsDiff(inputs, (x) => tf.split(x, splits, axis)), 0);
  }
  const concatGrad = () => [tf.randomNormal([2, 4, 4, 5], 0, 1, "float32", 9)];
  check(
    "concat gradient",
    maxAbsDiff(
      concatGrad,
      (x) =>
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, tf.square(a)], 3), tf.range(0, 10))))(
          x,
        ),
    ),
  );
});

Deno.test("max-pool gradient: 3×3/2 valid and same, 2×2/2, ties go to the first maximum", () => {
  const inputs = () => [tf.randomNormal([2, 9, 9, 3], 0, 1, "float32", 10)];
  for (
    const [k, s, pad] of [[3, 2, "valid"], [3, 2, "same"], [2, 2, "valid"], [3, 1, "same"]] as const
  ) {
    check(
      `maxPool ${k}/${s} ${pad}`,
      maxAbsDiff(
        inputs,
        (x) =>
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), 1.5)))(
            x,
          ),
      ),
    );
  }
  // equal values in a window: TensorFlow gives the gradient to the first
  const flat = () => [tf.ones([1, 4, 4, 1])];
  check(
    "ties",
    maxAbsDiff(
      flat,
      (x) => tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, "valid")))(x),
    ),
    0,
  );
});

Deno.test("kernels leave no tensors behind", () => {
  const before = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  tf.tidy(() => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 4, 4]) as tf.Tensor4D;
    tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"))
    )([x, w]);
    tf.sum(x, [0, 1, 2]);
  });
  if (tf.memory().numTensors !== before || tf.memory().numBytes !== bytes) {
    throw new Error("tensors leaked");
  }
  // the backend's own bookkeeping: every intermediate freed
  const wasm = tf.backend() as unknown as { numDataIds(): number };
  const ids = wasm.numDataIds();
  tf.tidy(() => {
    const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
    const w = tf.randomNormal([1, 1, 4, 4]) as tf.Tensor4D;
    tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid"))
    )([x, w]);
  });
  if (wasm.numDataIds() !== ids) throw new Error(`wasm data ids: ${ids} → ${wasm.numDataIds()}`);
});
