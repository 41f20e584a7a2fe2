/**
 * Kernels that make TensorFlow.js' WebGPU backend train faster, registered over the stock ones
 * (each checked against the `cpu` backend in test/backend/webgpu_test.ts). First the one a
 * profile of DenseNet121 training put at 84% of a step on an H200: the convolution filter
 * gradient.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { filterGradient, fitsDispatch, type WebGpuBackendLike } from "./filter_grad.ts";

let registered = false;

/** Register the project's WebGPU kernels (once; the WebGPU backend must be registered). */
export function registerWebGpuKernels(): void {
  if (registered) return;
  registered = true;
  const stock = tf.getKernel("Conv2DBackpropFilter", "webgpu");
  if (!stock) throw new Error("the WebGPU backend has no Conv2DBackpropFilter kernel to replace");
  tf.unregisterKernel("Conv2DBackpropFilter", "webgpu");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "webgpu",
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        attrs.filterShape,
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
        false,
        tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
      );
      const shape = {
        batch: info.batchSize,
        inHeight: info.inHeight,
        inWidth: info.inWidth,
        inChannels: info.inChannels,
        outHeight: info.outHeight,
        outWidth: info.outWidth,
        outChannels: info.outChannels,
        filterHeight: info.filterHeight,
        filterWidth: info.filterWidth,
        strideHeight: info.strideHeight,
        strideWidth: info.strideWidth,
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
      };
      if (info.dataFormat !== "channelsLast" || x.dtype !== "float32" || !fitsDispatch(shape)) {
        return stock.kernelFunc(args);
      }
      return filterGradient(args.backend as unknown as WebGpuBackendLike, x, dy, shape);
    },
  });
}
