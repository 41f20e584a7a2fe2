/**
 * Grad-CAM (Selvaraju et al. 2017), which works for any layer: weigh each feature map A_k of the
 * layer by the average gradient of the class score over it, α_k = mean_ij ∂y_c/∂A_k(i,j), and
 * keep the positive part of Σ_k α_k A_k. For a global-average-pooling + dense head at the last
 * convolutional layer, α_k is w_{c,k} times a positive constant, so Grad-CAM equals CAM up to
 * scale — a check the tests make.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Grad-CAM maps [n, h, w] (rectified, not normalised) of output `c` at layer `layerName`.
 * The gradient with respect to the layer's output is obtained by adding a zero tensor δ to that
 * output during one forward pass and differentiating with respect to δ.
 */
export function gradCam(
  model: tf.LayersModel,
  layerName: string,
  x: tf.Tensor4D,
  c = 0,
): tf.Tensor3D {
  const layer = model.getLayer(layerName);
  const shape = [x.shape[0], ...(layer.outputShape as (number | null)[]).slice(1)] as number[];
  if (shape.length !== 4 || shape.some((d) => d === null)) {
    throw new Error(`layer ${layerName} does not output feature maps (shape ${layer.outputShape})`);
  }
  const original = layer.call;
  let activation: tf.Tensor | undefined;
  let delta: tf.Tensor | undefined;
  // deno-lint-ignore no-explicit-any
  (layer as any).call = function (inputs: tf.Tensor | tf.Tensor[], kwargs: any) {
    const out = original.call(layer, inputs, kwargs) as tf.Tensor;
    activation = tf.keep(out.clone());
    return tf.add(out, delta!);
  };
  const zeros = tf.zeros(shape);
  try {
    const gradient = tf.grad((d: tf.Tensor) => {
      delta = d;
      const y = model.apply(x, { training: false }) as tf.Tensor2D;
      return tf.sum(tf.slice(y, [0, c], [-1, 1]));
    })(zeros);
    const maps = tf.tidy(() => {
      const alpha = tf.mean(gradient, [1, 2], true); // [n, 1, 1, K]
      return tf.relu(tf.sum(tf.mul(activation!, alpha), 3)) as tf.Tensor3D;
    });
    gradient.dispose();
    return maps;
  } finally {
    // deno-lint-ignore no-explicit-any
    delete (layer as any).call; // back to the class's own method
    if (activation) activation.dispose();
    zeros.dispose();
  }
}
