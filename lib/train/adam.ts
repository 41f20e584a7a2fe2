/**
 * Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as PyTorch's
 * `Adam(weight_decay=…)` that the study used. Written here rather than taken from tfjs so that
 * its state is keyed by weight name — a checkpoint then restores into a rebuilt model in a new
 * process, whatever order its variables were created in.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Adam's settings (PyTorch defaults for β and ε). */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** L2 penalty coefficient, added to each gradient as weightDecay · w. */
  readonly weightDecay?: number;
}

/** A trainable weight and its name (stable across processes, e.g. `conv1/conv/kernel`). */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
}

/** Adam with named state. */
export class Adam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** Updates applied so far (for the bias correction). */
  step = 0;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();

  constructor(options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /** One update of every weight from its gradient (same order as `weights`). */
  apply(weights: readonly NamedVariable[], grads: readonly tf.Tensor[]): void {
    this.step++;
    const { beta1, beta2, epsilon, weightDecay } = this;
    const c1 = 1 - beta1 ** this.step, c2 = 1 - beta2 ** this.step;
    // PyTorch's update lr/c1 · m / (√v/√c2 + ε), rewritten as lr·√c2/c1 · m / (√v + ε·√c2)
    // so that each weight costs few ops; the constants are made once per step, not per weight.
    const constants = tf.tidy(() =>
      [beta1, 1 - beta1, beta2, 1 - beta2, weightDecay, this.learningRate * Math.sqrt(c2) / c1]
        .concat(epsilon * Math.sqrt(c2)).map((v) => tf.keep(tf.scalar(v)))
    );
    const [b1, oneMinusB1, b2, oneMinusB2, decay, stepSize, eps] = constants;
    weights.forEach(({ name, variable }, i) => {
      tf.tidy(() => {
        const m = this.#moment(this.#m, name, variable);
        const v = this.#moment(this.#v, name, variable);
        const g = weightDecay ? tf.add(grads[i], tf.mul(variable, decay)) : grads[i];
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, oneMinusB1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), oneMinusB2)));
        variable.assign(tf.sub(variable, tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), eps))));
      });
    });
    tf.dispose(constants);
  }

  /** The state to checkpoint: step, rate, and the moments by `<weight>/m` and `<weight>/v`. */
  state(): { step: number; learningRate: number; moments: tf.NamedTensorMap } {
    const moments: tf.NamedTensorMap = {};
    for (const [name, m] of this.#m) moments[`${name}/m`] = m;
    for (const [name, v] of this.#v) moments[`${name}/v`] = v;
    return { step: this.step, learningRate: this.learningRate, moments };
  }

  /** Restore a state from {@link state} (tensors are copied). */
  load(state: { step: number; learningRate: number; moments: tf.NamedTensorMap }): void {
    this.dispose();
    this.step = state.step;
    this.learningRate = state.learningRate;
    for (const [key, tensor] of Object.entries(state.moments)) {
      const at = key.lastIndexOf("/");
      const name = key.slice(0, at), which = key.slice(at + 1);
      const map = which === "m" ? this.#m : which === "v" ? this.#v : undefined;
      if (!map) throw new Error(`optimizer state: unknown entry ${key}`);
      map.set(name, tf.variable(tensor.clone(), false));
    }
  }

  /** Free the moments. */
  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }

  #moment(map: Map<string, tf.Variable>, name: string, like: tf.Variable): tf.Variable {
    let t = map.get(name);
    if (!t) {
      t = tf.keep(tf.variable(tf.zerosLike(like), false));
      map.set(name, t);
    } else if (!tf.util.arraysEqual(t.shape, like.shape)) {
      throw new Error(
        `optimizer state for ${name} has shape [${t.shape}], weight has [${like.shape}]`,
      );
    }
    return t;
  }
}
