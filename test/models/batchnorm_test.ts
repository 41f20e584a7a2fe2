/** The fast batch norm against the textbook formula, differentiated by TensorFlow.js itself. */
import { initBackend, tf } from "../../lib/backend/mod.ts";
import { batchNormTraining } from "../../lib/models/batchnorm.ts";

await initBackend({ backend: "wasm" });

function textbook(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
}

for (const backend of ["cpu", "wasm"]) {
  Deno.test(`batch norm: value and gradients equal the textbook formula (${backend})`, () => {
    tf.setBackend(backend);
    try {
      tf.tidy(() => {
        // non-zero mean, to catch cancellation in the one-pass sums
        const x = tf.add(tf.randomNormal([4, 5, 6, 8], 0, 2, "float32", 1), 5);
        const g = tf.randomUniform([8], 0.5, 1.5, "float32", 2);
        const b = tf.randomNormal([8], 0, 1, "float32", 3);
        const up = tf.randomNormal([4, 5, 6, 8], 0, 1, "float32", 4); // upstream gradient
        const ours = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTraining(xi, gi, bi, 1e-3).y, up))
        )([x, g, b]);
        const ref = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) =>
          tf.sum(tf.mul(textbook(xi, gi, bi, 1e-3), up))
        )([x, g, b]);
        const value = tf.sub(batchNormTraining(x, g, b, 1e-3).y, textbook(x, g, b, 1e-3));
        for (
          const [name, d] of [
            ["value", value],
            ...ours.map((o, i) => [`grad ${i}`, tf.sub(o, ref[i])]),
          ] as [string, tf.Tensor][]
        ) {
          const err = tf.max(tf.abs(d)).dataSync()[0];
          if (!(err < 2e-4)) throw new Error(`${name}: max abs error ${err}`);
        }
      });
    } finally {
      tf.setBackend("wasm");
    }
  });
}
