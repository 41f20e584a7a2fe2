/**
 * Helpers for kernels written against the wasm backend: call its stock kernels by name, make
 * and free tensors on its heap, and read or write them in place as typed arrays.
 *
 * Kernels work with `TensorInfo`s (data id, shape, dtype), not tensors: nothing here is seen by
 * the engine or the gradient tape, and every intermediate must be released with {@link free}.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A tensor as kernels see it. */
export type Info = tf.TensorInfo;

/** The wasm backend, with the members these kernels use. */
export type Wasm = BackendWasm;

/** A registered kernel function, captured before it is replaced. */
export type KernelFunc = tf.KernelFunc;

/** Run the kernel registered for wasm under `name`. */
export function run(
  wasm: Wasm,
  name: string,
  inputs: Record<string, Info>,
  attrs: Record<string, unknown> = {},
): Info {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`wasm has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend: wasm }) as Info;
}

/** Release intermediates (each call drops one reference). */
export function free(wasm: Wasm, ...infos: Info[]): void {
  for (const info of infos) wasm.disposeData(info.dataId);
}

/** A float32 view of a tensor's data on the wasm heap (no copy; valid until the heap grows). */
export function view(wasm: Wasm, info: Info): Float32Array {
  return wasm.typedArrayFromHeap(info as tf.TensorInfo & { dtype: "float32" }) as Float32Array;
}

/** A new float32 tensor on the heap; its contents are whatever malloc returned. */
export function alloc(wasm: Wasm, shape: number[]): Info {
  return wasm.makeOutput(shape, "float32");
}

/** A new float32 tensor filled with `value`. */
export function filled(wasm: Wasm, shape: number[], value: number): Info {
  const out = alloc(wasm, shape);
  view(wasm, out).fill(value);
  return out;
}

/** Same data, another shape (shares the data; free it like any other result). */
export function reshape(wasm: Wasm, x: Info, shape: number[]): Info {
  return run(wasm, "Reshape", { x }, { shape });
}

/** Permute axes. */
export function transpose(wasm: Wasm, x: Info, perm: number[]): Info {
  return run(wasm, "Transpose", { x }, { perm });
}

/** Number of elements of a shape. */
export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
