/**
 * Kernels that make the wasm backend able to train convolutional networks, registered before it
 * starts. Each keeps the stock kernel's setup and replaces only what is missing or slow:
 * Conv2DBackpropFilter (missing), Conv2DBackpropInput (slow loop), BatchMatMul with transposed
 * operands (slow loop), Sum and Mean over leading axes (slow transposes), Slice and SplitV
 * (a copy of the whole input first), MaxPoolGrad (slow loop).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2dBackpropFilter, conv2dBackpropInput } from "./conv_backprop.ts";
import { plainBatchMatMul } from "./matmul.ts";
import { maxPoolGrad } from "./pool.ts";
import { fastReduce } from "./reduce.ts";
import { viewSlice, viewSplitV } from "./slice.ts";

let registered = false;

/** Register the project's wasm kernels (once; later calls do nothing). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  replace("BatchMatMul", (stock) => plainBatchMatMul(stock));
  replace("Sum", (stock) => fastReduce(stock, false));
  replace("Mean", (stock) => fastReduce(stock, true));
  replace("Conv2DBackpropInput", () => conv2dBackpropInput);
  replace("Conv2DBackpropFilter", () => conv2dBackpropFilter);
  replace("Slice", (stock) => viewSlice(stock));
  replace("SplitV", (stock) => viewSplitV(stock));
  replace("MaxPoolGrad", () => maxPoolGrad);
}

function replace(name: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(name, "wasm");
  if (stock) tf.unregisterKernel(name, "wasm");
  const missing: tf.KernelFunc = () => {
    throw new Error(`wasm has no stock ${name} kernel`);
  };
  tf.registerKernel({
    kernelName: name,
    backendName: "wasm",
    setupFunc: stock?.setupFunc,
    disposeFunc: stock?.disposeFunc,
    kernelFunc: make(stock?.kernelFunc ?? missing),
  });
}
