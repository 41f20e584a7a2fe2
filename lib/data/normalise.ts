/**
 * Each ImageNet model expects its own input scaling; the weights only work with the one they
 * were trained with (Keras `preprocess_input` modes).
 * @module
 */
import type { GreyImage } from "./images.ts";

/** The models this project trains, by their preprocessing. */
export type ModelName = "densenet121" | "resnet50";

/** Keras "torch" mode (DenseNet121): RGB in [0, 1], minus ImageNet mean, over its std. */
const TORCH_MEAN = [0.485, 0.456, 0.406] as const;
/** Keras "torch" mode standard deviations. */
const TORCH_STD = [0.229, 0.224, 0.225] as const;
/** Keras "caffe" mode (ResNet50): BGR in [0, 255], minus the per-channel mean, no scaling. */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

/** Per-channel `(value × scale − offset) / divisor`, for 8-bit input, in the model's order. */
export function channelTransform(
  model: ModelName,
): { offset: number[]; divisor: number[]; scale: number } {
  if (model === "densenet121") {
    return { scale: 1 / 255, offset: [...TORCH_MEAN], divisor: [...TORCH_STD] };
  }
  return { scale: 1, offset: [...CAFFE_MEAN_BGR], divisor: [1, 1, 1] };
}

/**
 * Write a grey image as three normalised channels (HWC) into `out` at `offset`.
 * Grey replicated to three channels is the same in RGB and BGR order, so only the per-channel
 * constants follow the model's channel order.
 */
export function writeModelInput(
  image: GreyImage | { side: number; data: ArrayLike<number> },
  model: ModelName,
  out: Float32Array,
  offset = 0,
): void {
  const { scale, offset: mean, divisor } = channelTransform(model);
  const n = image.side * image.side;
  for (let i = 0; i < n; i++) {
    const v = image.data[i] * scale;
    const o = offset + i * 3;
    out[o] = (v - mean[0]) / divisor[0];
    out[o + 1] = (v - mean[1]) / divisor[1];
    out[o + 2] = (v - mean[2]) / divisor[2];
  }
}

/** A grey image as a new HWC float array in the model's normalisation. */
export function toModelInput(image: GreyImage, model: ModelName): Float32Array {
  const out = new Float32Array(image.side * image.side * 3);
  writeModelInput(image, model, out);
  return out;
}

/**
 * An RGB image in the model's input normalisation (HWC float). Keras "caffe" mode also swaps
 * the channels to BGR, which matters for colour photos (not for grey X-rays).
 */
export function rgbModelInput(
  image: { side: number; data: ArrayLike<number> },
  model: ModelName,
): Float32Array {
  const { scale, offset: mean, divisor } = channelTransform(model);
  const n = image.side * image.side;
  const out = new Float32Array(n * 3);
  const order = model === "resnet50" ? [2, 1, 0] : [0, 1, 2];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      out[i * 3 + c] = (image.data[i * 3 + order[c]] * scale - mean[c]) / divisor[c];
    }
  }
  return out;
}
