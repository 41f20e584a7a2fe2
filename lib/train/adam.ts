/**
 * Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as PyTorch's
 * `Adam(weight_decay=…)` that the study used. Written here rather than taken from tfjs so that
 * its state is keyed by weight name — a checkpoint then restores into a rebuilt model in a new
 * process, whatever order its variables were created in.
 *
 * Weights are updated many at once: the gradients, the weights and both moments are held as
 * concatenated 1-D tensors, one per bucket of about a million values (see `backend/flat.ts`),
 * so that a step is some fifteen ops per bucket plus a split back into the weights, instead of
 * about fifteen ops for each of a network's hundreds of weight tensors (on native TensorFlow
 * each op is a call from JavaScript with a fixed cost that, for DenseNet121, made the optimiser
 * three quarters of the ops of a training step). The arithmetic is the same elementwise
 * arithmetic, in the same order, so every weight gets the same bits as it would updated on its
 * own.
 *
 * On native TensorFlow a bucket's weights and moments live in TensorFlow resource variables
 * and each bucket is updated by one `ResourceApplyAdam` kernel, in place (see
 * `backend/native_adam.ts`): the same update in one pass instead of fifteen, rounded slightly
 * differently.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { buckets, concatBuckets, concatFlat, splitFlat } from "../backend/flat.ts";
import { type AdamScalars, NativeFlatVariable } from "../backend/native_adam.ts";
import { activeNativeBackend } from "../backend/native_ops.ts";

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

/** The optimiser's state by name, as checkpoints hold it. */
export interface AdamState {
  step: number;
  learningRate: number;
  /** `<weight>/m` and `<weight>/v`, each shaped as its weight. */
  moments: tf.NamedTensorMap;
}

// Which weights, in which order, the flat tensors hold, and in which buckets.
interface Layout {
  readonly key: string;
  readonly names: string[];
  readonly shapes: number[][];
  /** [start, end) weight indices of each bucket (see `buckets`). */
  readonly buckets: [number, number][];
  /** Whether the flat tensors are native TensorFlow variables (updated by one kernel). */
  readonly native: boolean;
}

/** A bucket's values: a tensor, or a native TensorFlow variable (see `native_adam.ts`). */
type Flat = tf.Tensor1D | NativeFlatVariable;

/** Adam with named state. */
export class Adam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** Updates applied so far (for the bias correction). */
  step = 0;
  // moments by weight name, for weights not (or not yet) in the flat layout
  readonly #loose = new Map<string, { m?: tf.Tensor; v?: tf.Tensor }>();
  #layout: Layout | undefined;
  // per bucket: the moments, and the weights as one tensor; with the values last written from
  // it into each variable: while every variable of a bucket still holds those, its flat copy
  // is current and need not be rebuilt
  #m: Flat[] = [];
  #v: Flat[] = [];
  #w: (Flat | undefined)[] = [];
  #written: unknown[] = [];

  constructor(options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /** One update of every weight from its gradient (same order as `weights`). */
  apply(weights: readonly NamedVariable[], grads: readonly tf.Tensor[]): void {
    if (grads.length !== weights.length) {
      throw new Error(`Adam: ${grads.length} gradients for ${weights.length} weights`);
    }
    grads.forEach((g, i) => checkShape(weights[i].name, g.shape, weights[i].variable.shape));
    const flat = concatBuckets(grads, buckets(grads.map((g) => g.size)));
    try {
      this.applyFlat(weights, flat);
    } finally {
      tf.dispose(flat);
    }
  }

  /**
   * One update from the gradients of `weights` concatenated bucket by bucket, as
   * `concatBuckets(grads, buckets(sizes))` gives them, divided by `divisor` first (the number
   * of micro-batches they were summed over). The gradients are not consumed.
   */
  applyFlat(
    weights: readonly NamedVariable[],
    gradients: readonly tf.Tensor1D[],
    divisor = 1,
  ): void {
    const layout = this.#prepare(weights);
    layout.buckets.forEach(([start, end], b) => {
      const size = layout.shapes.slice(start, end).reduce((s, x) => s + sizeOf(x), 0);
      if (gradients[b]?.size !== size || gradients.length !== layout.buckets.length) {
        throw new Error(
          `Adam: flat gradients of ${gradients.map((g) => g.size)} values for buckets of ` +
            `${
              layout.buckets.map(([s, e]) =>
                layout.shapes.slice(s, e).reduce((t, x) => t + sizeOf(x), 0)
              )
            }`,
        );
      }
    });
    this.step++;
    const { beta1, beta2, epsilon, weightDecay } = this;
    const c1 = 1 - beta1 ** this.step, c2 = 1 - beta2 ** this.step;
    // PyTorch's update lr/c1 · m / (√v/√c2 + ε), rewritten as lr·√c2/c1 · m / (√v + ε·√c2).
    const constants = [
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      weightDecay,
      this.learningRate * Math.sqrt(c2) / c1,
      epsilon * Math.sqrt(c2),
    ].map((c) => tf.keep(tf.scalar(c)));
    const [b1, oneMinusB1, b2, oneMinusB2, decay, stepSize, eps] = constants;
    if (layout.native) {
      const scalars: AdamScalars = {
        beta1Power: tf.keep(tf.scalar(beta1 ** this.step)),
        beta2Power: tf.keep(tf.scalar(beta2 ** this.step)),
        learningRate: tf.keep(tf.scalar(this.learningRate)),
        beta1: b1,
        beta2: b2,
        epsilon: eps,
      };
      try {
        layout.buckets.forEach(([start, end], b) => {
          const w = this.#w[b] as NativeFlatVariable;
          // the gradient as the update takes it; the weights read for the decay are freed
          // before the update, which would otherwise copy the buffer they share
          const g = tf.tidy(() => {
            let g: tf.Tensor = divisor === 1 ? gradients[b] : tf.div(gradients[b], divisor);
            if (weightDecay) g = tf.add(g, tf.mul(w.read(), decay));
            return g as tf.Tensor1D;
          });
          w.applyAdam(
            this.#m[b] as NativeFlatVariable,
            this.#v[b] as NativeFlatVariable,
            scalars,
            g,
          );
          if (g !== gradients[b]) g.dispose();
          this.#writeBack(w, weights.slice(start, end), layout.shapes.slice(start, end));
        });
      } finally {
        tf.dispose([constants, scalars.beta1Power, scalars.beta2Power, scalars.learningRate]);
      }
      this.#written = weights.map((x) => x.variable.dataId);
      return;
    }
    layout.buckets.forEach(([start, end], b) => {
      const m0 = this.#m[b] as tf.Tensor1D, v0 = this.#v[b] as tf.Tensor1D;
      const w0 = this.#w[b] as tf.Tensor1D;
      const [m, v, w] = tf.tidy(() => {
        let g: tf.Tensor = divisor === 1 ? gradients[b] : tf.div(gradients[b], divisor);
        if (weightDecay) g = tf.add(g, tf.mul(w0, decay));
        const m = tf.add(tf.mul(m0, b1), tf.mul(g, oneMinusB1));
        const v = tf.add(tf.mul(v0, b2), tf.mul(tf.square(g), oneMinusB2));
        const w = tf.sub(w0, tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), eps)));
        return [m, v, w] as tf.Tensor1D[];
      });
      tf.dispose([m0, v0, w0]);
      this.#m[b] = tf.keep(m);
      this.#v[b] = tf.keep(v);
      this.#w[b] = tf.keep(w);
      this.#writeBack(w, weights.slice(start, end), layout.shapes.slice(start, end));
    });
    tf.dispose(constants);
    this.#written = weights.map((x) => x.variable.dataId);
  }

  // A bucket's flat weights into its variables.
  #writeBack(flat: Flat, weights: readonly NamedVariable[], shapes: number[][]): void {
    const pieces = splitBucket(flat, shapes);
    pieces.forEach((piece, i) => weights[i].variable.assign(piece));
    tf.dispose(pieces);
  }

  /**
   * The state to checkpoint: step, rate, and the moments by `<weight>/m` and `<weight>/v`.
   * The tensors are new: the caller disposes them.
   */
  state(): AdamState {
    const moments: tf.NamedTensorMap = {};
    const pieces = (flat: Flat[]) =>
      this.#layout!.buckets.flatMap(([start, end], b) =>
        splitBucket(flat[b], this.#layout!.shapes.slice(start, end))
      );
    const m = this.#layout ? pieces(this.#m) : [];
    const v = this.#layout ? pieces(this.#v) : [];
    this.#layout?.names.forEach((name, i) => moments[`${name}/m`] = m[i]);
    for (const [name, { m }] of this.#loose) if (m) moments[`${name}/m`] = m.clone();
    this.#layout?.names.forEach((name, i) => moments[`${name}/v`] = v[i]);
    for (const [name, { v }] of this.#loose) if (v) moments[`${name}/v`] = v.clone();
    return { step: this.step, learningRate: this.learningRate, moments };
  }

  /** Restore a state from {@link state} (tensors are copied). */
  load(state: AdamState): void {
    this.dispose();
    this.step = state.step;
    this.learningRate = state.learningRate;
    for (const [key, tensor] of Object.entries(state.moments)) {
      const at = key.lastIndexOf("/");
      const name = key.slice(0, at), which = key.slice(at + 1);
      if (which !== "m" && which !== "v") throw new Error(`optimizer state: unknown entry ${key}`);
      const entry = this.#loose.get(name) ?? {};
      entry[which]?.dispose();
      entry[which] = tf.keep(tensor.clone());
      this.#loose.set(name, entry);
    }
  }

  /** Free the moments and the flat weights. */
  dispose(): void {
    this.#dropFlat();
    for (const { m, v } of this.#loose.values()) tf.dispose([m, v].filter((t) => t) as tf.Tensor[]);
    this.#loose.clear();
  }

  // Lay the moments and weights out flat for `weights` (in their order), reusing what is there.
  #prepare(weights: readonly NamedVariable[]): Layout {
    const key = weights.map((w) => `${w.name}:${w.variable.shape}`).join(";");
    const native = activeNativeBackend() !== undefined;
    if (this.#layout && this.#layout.native !== native) {
      throw new Error(
        `Adam: its state lives in ${this.#layout.native ? "native TensorFlow" : "tensors"}, ` +
          `but the backend is now ${tf.getBackend()}; checkpoint and resume instead`,
      );
    }
    if (this.#layout?.key !== key) {
      this.#unflatten();
      const names = weights.map((w) => w.name);
      const shapes = weights.map((w) => w.variable.shape.slice());
      const ranges = buckets(shapes.map(sizeOf));
      const moments = (which: "m" | "v") =>
        ranges.map(([start, end]) =>
          toFlat(
            native,
            tf.tidy(() =>
              concatFlat(
                names.slice(start, end).map((name, k) => {
                  const t = this.#loose.get(name)?.[which];
                  if (!t) return tf.zeros(shapes[start + k]);
                  checkShape(`optimizer state for ${name}`, t.shape, shapes[start + k]);
                  return t;
                }),
              )
            ),
          )
        );
      this.#m = moments("m");
      this.#v = moments("v");
      this.#w = ranges.map(() => undefined);
      for (const name of names) {
        const entry = this.#loose.get(name);
        tf.dispose([entry?.m, entry?.v].filter((t) => t) as tf.Tensor[]);
        this.#loose.delete(name);
      }
      this.#layout = { key, names, shapes, buckets: ranges, native };
    }
    this.#layout.buckets.forEach(([start, end], b) => {
      const current = this.#w[b] &&
        weights.slice(start, end).every((w, i) => w.variable.dataId === this.#written[start + i]);
      if (!current) {
        const values = concatFlat(weights.slice(start, end).map((w) => w.variable));
        const old = this.#w[b];
        if (old instanceof NativeFlatVariable) {
          old.assign(values);
          values.dispose();
        } else {
          old?.dispose();
          this.#w[b] = toFlat(native, values);
        }
      }
    });
    return this.#layout;
  }

  // Back from flat tensors to moments by name (the flat weights are dropped).
  #unflatten(): void {
    const layout = this.#layout;
    if (layout) {
      layout.buckets.forEach(([start, end], b) => {
        const m = splitBucket(this.#m[b], layout.shapes.slice(start, end));
        const v = splitBucket(this.#v[b], layout.shapes.slice(start, end));
        layout.names.slice(start, end).forEach((name, i) => {
          this.#loose.set(name, { m: tf.keep(m[i]), v: tf.keep(v[i]) });
        });
      });
    }
    this.#dropFlat();
  }

  #dropFlat(): void {
    for (const flat of [...this.#m, ...this.#v, ...this.#w]) flat?.dispose();
    this.#m = [];
    this.#v = [];
    this.#w = [];
    this.#layout = undefined;
    this.#written = [];
  }
}

// A concatenation as the layout holds it (taking ownership of the tensor).
function toFlat(native: boolean, values: tf.Tensor1D): Flat {
  if (!native) return tf.keep(values);
  const variable = NativeFlatVariable.from(values)!;
  values.dispose();
  return variable;
}

// The values of a bucket: the tensor itself, or a new tensor read from the native variable.
function readFlat(flat: Flat): tf.Tensor1D {
  return flat instanceof NativeFlatVariable ? flat.read() : flat;
}

// A bucket split into its weights' shapes (new tensors).
function splitBucket(flat: Flat, shapes: readonly number[][]): tf.Tensor[] {
  const values = readFlat(flat);
  const pieces = splitFlat(values, shapes);
  if (values !== flat) values.dispose();
  return pieces;
}

function sizeOf(shape: readonly number[]): number {
  return tf.util.sizeFromShape(shape as number[]);
}

function checkShape(what: string, shape: readonly number[], expected: readonly number[]): void {
  if (!tf.util.arraysEqual(shape as number[], expected as number[])) {
    throw new Error(`${what} has shape [${shape}], weight has [${expected}]`);
  }
}
