/**
 * Fused TensorFlow ops for the native backend. TensorFlow.js builds some gradients from several
 * generic ops; TensorFlow has one kernel for each. A profile of a DenseNet121 training step on
 * native TensorFlow (128 px, batch 16, 2 cores) put 25% of the step in the ReLU gradient alone
 * (`step` is five ops there: IsNan, Greater, Fill, Select, Select) and much of the rest in the
 * batch-norm layer's elementwise passes. Here: `ReluGrad` for the ReLU gradient, and
 * `FusedBatchNormV3` / `FusedBatchNormGradV3` for batch normalisation while training.
 * Other backends keep the generic formulation.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-node's backend used here. */
export interface NodeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_SHAPE: number;
    TF_FLOAT: number;
  };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(
    name: string,
    attrs: OpAttr[],
    inputs: tf.TensorInfo[],
    outputs: number,
  ): tf.Tensor[];
}

/** An op attribute, as tfjs-node's binding takes it. */
export interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

/** The native backend when it is the active one, else undefined. */
export function activeNativeBackend(): NodeBackend | undefined {
  if (tf.getBackend() !== "tensorflow") return undefined;
  const backend = tf.backend() as unknown as Partial<NodeBackend>;
  return typeof backend.executeMultipleOutputs === "function" ? backend as NodeBackend : undefined;
}

let registered = false;

/**
 * Replace the ReLU gradient with one that runs TensorFlow's `ReluGrad` kernel on the native
 * backend (the stock formula elsewhere). Call once before training; later calls do nothing.
 */
export function registerFastGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => reluGrad(dy as tf.Tensor, x) };
    },
  });
}

/** dy where x > 0, else 0. */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const native = activeNativeBackend();
  if (!native) return tf.mul(dy, tf.cast(tf.step(x), "float32"));
  return native.executeSingleOutput("ReluGrad", [typeAttr(native, "T")], [dy, x]);
}

/**
 * Batch normalisation with the batch's statistics over every axis but the last (NHWC), as one
 * TensorFlow kernel with its fused gradient. Returns the output and the batch mean and
 * (unbiased, as TensorFlow reports it for the moving average) variance; the statistics carry
 * no gradient. Only on the native backend: see {@link activeNativeBackend}.
 */
export function fusedBatchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor4D; mean: tf.Tensor1D; unbiasedVariance: tf.Tensor1D } {
  const native = activeNativeBackend();
  if (!native) throw new Error("fusedBatchNormTraining needs the native TensorFlow backend");
  const attrs = (training: boolean): OpAttr[] => [
    typeAttr(native, "T"),
    typeAttr(native, "U"),
    { name: "epsilon", type: native.binding.TF_ATTR_FLOAT, value: epsilon },
    { name: "data_format", type: native.binding.TF_ATTR_STRING, value: "NHWC" },
    { name: "is_training", type: native.binding.TF_ATTR_BOOL, value: training },
  ];
  let mean!: tf.Tensor1D, unbiasedVariance!: tf.Tensor1D;
  const op = tf.customGrad((xIn, g, b, save) => {
    const empty = tf.tensor1d([]);
    const [y, batchMean, batchVariance, r1, r2, r3] = native.executeMultipleOutputs(
      "FusedBatchNormV3",
      attrs(true),
      [xIn as tf.Tensor, g as tf.Tensor, b as tf.Tensor, empty, empty],
      6,
    );
    empty.dispose();
    mean = tf.keep(batchMean as tf.Tensor1D);
    unbiasedVariance = tf.keep(batchVariance as tf.Tensor1D);
    (save as tf.GradSaveFunc)([xIn as tf.Tensor, g as tf.Tensor, r1, r2, r3]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, s1, s2, s3] = saved;
        const [dx, dGamma, dBeta, e1, e2] = native.executeMultipleOutputs(
          "FusedBatchNormGradV3",
          attrs(true),
          [dy, xs, gs, s1, s2, s3],
          5,
        );
        tf.dispose([e1, e2]);
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return { y, mean, unbiasedVariance };
}

/** The float32 type attribute `name`, as TensorFlow's ops take it. */
export function typeAttr(native: NodeBackend, name: string): OpAttr {
  return { name, type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
}
