/**
 * Adam as one TensorFlow kernel, for the native backend. Written out in TensorFlow.js ops, an
 * Adam update is some fifteen elementwise ops, each a pass over the weights that reads its
 * inputs and writes a fresh tensor: for ResNet50's 25 million weights that was a quarter of a
 * training step at 128 px. TensorFlow's `ResourceApplyAdam` makes the same update in one pass,
 * in place, on weights and moments held as TensorFlow resource variables (buffers TensorFlow
 * owns and may update in place; TensorFlow.js has no such tensors, so they are made here).
 *
 * Its arithmetic is PyTorch's update in TensorFlow's form: m += (g − m)(1 − β1),
 * v += (g² − v)(1 − β2), w −= α·m / (√v + ε̂) with α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ). With
 * ε̂ = ε·√(1 − β2ᵗ) that is exactly lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε), PyTorch's update;
 * only the rounding differs from the update written as separate ops (a few units in the last
 * place of a float32 per step; `test/train/adam_test.ts` bounds it).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { activeNativeBackend, type NodeBackend, typeAttr } from "./native_ops.ts";

// TensorFlow's name for a variable owned by its handle: freed when the handle is deleted.
const ANONYMOUS = "cd2c89b7-88b7-44c8-ad83-06c2a9158347";

/** A 1-D float32 buffer held by TensorFlow as a resource variable. */
export class NativeFlatVariable {
  readonly #native: NodeBackend;
  readonly #handle: tf.Tensor;
  readonly size: number;

  private constructor(native: NodeBackend, handle: tf.Tensor, size: number) {
    this.#native = native;
    this.#handle = handle;
    this.size = size;
  }

  /** A variable holding a copy of `value`; undefined when native TensorFlow is not active. */
  static from(value: tf.Tensor1D): NativeFlatVariable | undefined {
    const native = activeNativeBackend();
    if (!native) return undefined;
    const b = native.binding;
    const handle = tf.keep(native.executeSingleOutput("VarHandleOp", [
      { name: "container", type: b.TF_ATTR_STRING, value: "" },
      { name: "shared_name", type: b.TF_ATTR_STRING, value: ANONYMOUS },
      typeAttr(native, "dtype"),
      { name: "shape", type: b.TF_ATTR_SHAPE, value: [value.size] },
    ], []));
    const variable = new NativeFlatVariable(native, handle, value.size);
    variable.assign(value);
    return variable;
  }

  /** Overwrite the buffer with `value` (same size). */
  assign(value: tf.Tensor1D): void {
    if (value.size !== this.size) {
      throw new Error(`native variable of ${this.size} values assigned ${value.size}`);
    }
    this.#native.executeMultipleOutputs(
      "AssignVariableOp",
      [typeAttr(this.#native, "dtype")],
      [this.#handle, value],
      0,
    );
  }

  /**
   * The current values as a tensor (the caller disposes it). TensorFlow shares the buffer with
   * it: while it lives, the next in-place update copies the buffer first, so dispose it before.
   */
  read(): tf.Tensor1D {
    return this.#native.executeSingleOutput(
      "ReadVariableOp",
      [typeAttr(this.#native, "dtype")],
      [this.#handle],
    ) as tf.Tensor1D;
  }

  /**
   * One Adam update of this variable (the weights) and its moments `m` and `v`, in place:
   * `scalars` are TensorFlow's inputs β1ᵗ, β2ᵗ, lr, β1, β2, ε̂ as float32 scalars.
   */
  applyAdam(
    m: NativeFlatVariable,
    v: NativeFlatVariable,
    scalars: AdamScalars,
    gradient: tf.Tensor1D,
  ): void {
    const b = this.#native.binding;
    this.#native.executeMultipleOutputs(
      "ResourceApplyAdam",
      [
        typeAttr(this.#native, "T"),
        { name: "use_locking", type: b.TF_ATTR_BOOL, value: false },
        { name: "use_nesterov", type: b.TF_ATTR_BOOL, value: false },
      ],
      [
        this.#handle,
        m.#handle,
        v.#handle,
        scalars.beta1Power,
        scalars.beta2Power,
        scalars.learningRate,
        scalars.beta1,
        scalars.beta2,
        scalars.epsilon,
        gradient,
      ],
      0,
    );
  }

  /** Free the buffer (the handle owns it). */
  dispose(): void {
    this.#handle.dispose();
  }
}

/** `ResourceApplyAdam`'s scalar inputs for one step. */
export interface AdamScalars {
  readonly beta1Power: tf.Scalar;
  readonly beta2Power: tf.Scalar;
  readonly learningRate: tf.Scalar;
  readonly beta1: tf.Scalar;
  readonly beta2: tf.Scalar;
  readonly epsilon: tf.Scalar;
}
