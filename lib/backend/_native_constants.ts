/**
 * Small constants made once on native TensorFlow. tfjs-node passes shapes, axes and split sizes
 * to TensorFlow as small int32 tensors that each op makes from JavaScript values and deletes
 * again (a DenseNet121 training step makes some 800: one per convolution gradient, per split,
 * per concatenation, per reshape, and an empty one per fused batch norm). Here the first use of
 * a value makes its TensorFlow tensor and later uses pass the same one: the ops and the values
 * they read are unchanged, so are their results. TensorFlow.js' own bookkeeping of the small
 * tensor is untouched (it still counts and disposes it as before); only the native copy is
 * shared.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-node's backend this hooks into. */
interface NodeBackendInternals {
  binding: {
    TF_INT32: number;
    TF_FLOAT: number;
    createTensor(shape: number[], dtype: number, values: tf.backend_util.BackendValues): number;
  };
  tensorMap: {
    get(dataId: unknown): {
      shape: number[];
      dtype: number;
      values: tf.backend_util.BackendValues | null;
      id: number;
    };
  };
  getInputTensorIds(tensors: unknown[]): number[];
}

// Values kept at most (distinct shapes and axes of a network are a few hundred).
const MAX_CONSTANTS = 4096;
// Only tensors this small are constants of this kind (shapes have at most 8 entries).
const MAX_SIZE = 8;

const hooked = new WeakSet<object>();

/** Share the native tensors of small int32 constants (and empty tensors) on `backend`. */
export function shareSmallConstants(backend: tf.KernelBackend): void {
  const node = backend as unknown as NodeBackendInternals;
  if (hooked.has(node) || typeof node.getInputTensorIds !== "function" || !node.tensorMap) return;
  hooked.add(node);
  const original = node.getInputTensorIds.bind(node);
  const cache = new Map<string, number>();
  const { TF_INT32, TF_FLOAT } = node.binding;
  node.getInputTensorIds = (tensors: unknown[]): number[] => {
    const ids: number[] = new Array(tensors.length);
    const others: unknown[] = [], at: number[] = [];
    tensors.forEach((t, i) => {
      const key = constantKey(t);
      let id = key === undefined ? undefined : cache.get(key);
      if (key !== undefined && id === undefined && cache.size < MAX_CONSTANTS) {
        const info = node.tensorMap.get((t as tf.TensorInfo).dataId);
        id = node.binding.createTensor(info.shape, info.dtype, info.values!);
        cache.set(key, id);
      }
      if (id !== undefined) ids[i] = id;
      else {
        others.push(t);
        at.push(i);
      }
    });
    if (others.length) original(others).forEach((id, k) => ids[at[k]] = id);
    return ids;
  };

  // A tensor made from JavaScript values that TensorFlow has not seen yet, small, int32 (or
  // empty): its key by shape and values; else undefined.
  function constantKey(t: unknown): string | undefined {
    const dataId = (t as Partial<tf.TensorInfo>)?.dataId;
    if (dataId === undefined) return undefined;
    const info = node.tensorMap.get(dataId);
    if (!info || info.values == null || info.id >= 0) return undefined;
    const size = info.shape.reduce((a, b) => a * b, 1);
    if (size === 0 && (info.dtype === TF_FLOAT || info.dtype === TF_INT32)) {
      return `${info.dtype}:[${info.shape}]`;
    }
    if (info.dtype !== TF_INT32 || size > MAX_SIZE) return undefined;
    return `${info.dtype}:[${info.shape}]:${Array.from(info.values as Int32Array)}`;
  }
}
