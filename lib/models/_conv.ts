/**
 * Keras Conv2D whose gradient computes only what is needed. The stock layer always runs the
 * fused conv+bias+activation op, whose gradient function computes the input gradient eagerly —
 * even for the first convolution, whose input is the image (82 ms of a 1.6 s DenseNet step at
 * 128 px on wasm, for nothing). While gradients are being recorded this layer uses the plain
 * ops, whose gradients run only on the path to a trained weight; otherwise the fused op. The
 * class keeps the name `Conv2D`, so saved models load as the standard layer anywhere.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { deriveSeed } from "../rng.ts";

const StockConv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 }))
  .constructor as new (args: unknown) => tf.layers.Layer;

interface ConvFields {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: [number, number];
  padding: "valid" | "same";
  dilationRate: [number, number];
  dataFormat: "channelsLast" | "channelsFirst";
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
}

/** Keras Conv2D (channels last) with gradients pruned to what training needs. */
export class Conv2D extends StockConv2D {
  static className = "Conv2D";

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const f = this as unknown as ConvFields;
    const recording = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
    if (!recording || f.dataFormat !== "channelsLast") {
      return super.call(inputs, kwargs) as tf.Tensor;
    }
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(
        x,
        f.kernel.read() as tf.Tensor4D,
        f.strides,
        f.padding,
        "NHWC",
        f.dilationRate,
      );
      if (f.bias) y = tf.add(y, f.bias.read());
      return f.activation.getClassName() === "linear" ? y : f.activation.apply(y);
    });
  }
}
/** A convolution's shape and name, as the architectures describe their layers. */
export interface ConvSpec {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly name: string;
  readonly padding?: "valid" | "same";
  /** Default true (ResNet50's convolutions have a bias; DenseNet121's do not). */
  readonly useBias?: boolean;
}

/**
 * The convolution both architectures are built of: a {@link Conv2D} named as Keras names it,
 * with He-normal weights seeded by the model's seed and the layer's name.
 */
export function seededConv(seed: number, spec: ConvSpec): Conv2D {
  return new Conv2D({
    filters: spec.filters,
    kernelSize: spec.kernelSize,
    strides: spec.strides,
    padding: spec.padding ?? "valid",
    ...(spec.useBias === false ? { useBias: false } : {}),
    name: spec.name,
    kernelInitializer: convInitializer(seed, spec.name),
  });
}

/**
 * He-normal initialisation (right for ReLU networks trained from scratch), seeded per layer
 * so that a model seed fixes every weight, whatever the order layers are built in.
 */
function convInitializer(
  seed: number,
  layerName: string,
): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: deriveSeed(seed, layerName) % 2 ** 31 });
}

// deserialising "Conv2D" (a saved model) now builds this class
tf.serialization.registerClass(
  Conv2D as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>,
);
