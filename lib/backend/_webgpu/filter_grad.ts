/**
 * The convolution filter gradient on WebGPU as a split-K matrix product.
 *
 * dW[kh, kw, ci, co] = Σ_p x[p shifted by (kh, kw), ci] · dy[p, co], summed over every output
 * position p of the batch (N·OH·OW: 200,000 at batch 64 and 56 px) — a product whose reduction
 * is huge and whose output (k·k·Cin × Cout) is small. The stock kernel gives each output one
 * thread and one serial loop over all of p, so most of the GPU idles. Here the reduction is
 * split into slices, one workgroup per (64×64 output tile, slice), each reducing its slice with
 * 16-deep tiles in workgroup memory (im2col done on the fly while loading the tile); a second
 * pass sums the slices.
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";

/** Output tile side and reduction depth per step of the tiled product. */
const TILE = 64, DEPTH = 16;
/** Workgroups to aim for, so that a large GPU has several waves of work. */
const TARGET_WORKGROUPS = 512;
/** A dispatch dimension's limit in WebGPU. */
const MAX_DISPATCH = 65535;

/** The part of tfjs-backend-webgpu's backend this kernel uses. */
export interface WebGpuBackendLike {
  runWebGPUProgram(
    program: unknown,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
  disposeData(dataId: unknown): boolean;
}

/** The convolution's sizes, as tfjs' `computeConv2DInfo` gives them. */
export interface FilterGradShape {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** How the reduction is split: slices of `chunk` positions (a multiple of 16), `splits` of them. */
function splitPlan(shape: FilterGradShape): { splits: number; chunk: number } {
  const rows = shape.filterHeight * shape.filterWidth * shape.inChannels;
  const tiles = Math.ceil(shape.outChannels / TILE) * Math.ceil(rows / TILE);
  const positions = shape.batch * shape.outHeight * shape.outWidth;
  const steps = Math.ceil(positions / DEPTH);
  const wanted = Math.max(1, Math.min(steps, MAX_DISPATCH, Math.ceil(TARGET_WORKGROUPS / tiles)));
  const chunk = Math.ceil(steps / wanted) * DEPTH;
  return { splits: Math.ceil(positions / chunk), chunk };
}

/** Whether this kernel can run the shape (else the stock kernel does). */
export function fitsDispatch(shape: FilterGradShape): boolean {
  const rows = shape.filterHeight * shape.filterWidth * shape.inChannels;
  const size = rows * shape.outChannels;
  return Math.ceil(shape.outChannels / TILE) <= MAX_DISPATCH &&
    Math.ceil(rows / TILE) <= MAX_DISPATCH && Math.ceil(size / 64) <= MAX_DISPATCH;
}

// The tiled, split-K product: partial[split, row, co] over one slice of positions.
class PartialProgram {
  readonly variableNames = ["x", "dy"];
  readonly uniforms = "pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, chunk : i32,";
  readonly workgroupSize: [number, number, number] = [16, 16, 1];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [2], y: [1], z: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey = "xrayConv2DFilterGradSplitK";

  constructor(rows: number, outChannels: number, splits: number) {
    this.outputShape = [splits, rows, outChannels];
    this.dispatch = [Math.ceil(outChannels / TILE), Math.ceil(rows / TILE), splits];
  }

  getUserCode(): string {
    return `
      var<workgroup> tileA : array<array<f32, ${TILE}>, ${DEPTH}>;
      var<workgroup> tileB : array<array<f32, ${TILE}>, ${DEPTH}>;

      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let lid = ty * 16 + tx;
        let colBase = i32(workgroupId.x) * ${TILE};
        let rowBase = i32(workgroupId.y) * ${TILE};
        let split = i32(workgroupId.z);
        let inH = uniforms.xShape[1];
        let inW = uniforms.xShape[2];
        let inC = uniforms.xShape[3];
        let outH = uniforms.dyShape[1];
        let outW = uniforms.dyShape[2];
        let outC = uniforms.dyShape[3];
        let kW = uniforms.filterDims.y;
        let rows = uniforms.filterDims.x * kW * inC;
        let positions = uniforms.dyShape[0] * outH * outW;
        let start = split * uniforms.chunk;
        let end = min(positions, start + uniforms.chunk);

        var acc : array<array<f32, 4>, 4>;
        for (var p0 = start; p0 < end; p0 = p0 + ${DEPTH}) {
          // 16 positions × 64 rows of x (gathered: im2col on the fly) and × 64 columns of dy
          for (var i = 0; i < ${(TILE * DEPTH) / 256}; i = i + 1) {
            let e = lid + i * 256;
            let k = e / ${TILE};
            let j = e % ${TILE};
            let p = p0 + k;
            var a = 0.0;
            let row = rowBase + j;
            if (p < end && row < rows) {
              let ci = row % inC;
              let tap = row / inC;
              let b = p / (outH * outW);
              let rem = p % (outH * outW);
              let ih = (rem / outW) * uniforms.strides.x - uniforms.pads.x + tap / kW;
              let iw = (rem % outW) * uniforms.strides.y - uniforms.pads.y + tap % kW;
              if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
                a = x[((b * inH + ih) * inW + iw) * inC + ci];
              }
            }
            tileA[k][j] = a;
            var g = 0.0;
            let col = colBase + j;
            if (p < end && col < outC) {
              g = dy[p * outC + col];
            }
            tileB[k][j] = g;
          }
          workgroupBarrier();
          for (var k = 0; k < ${DEPTH}; k = k + 1) {
            for (var r = 0; r < 4; r = r + 1) {
              let a = tileA[k][ty * 4 + r];
              for (var c = 0; c < 4; c = c + 1) {
                acc[r][c] = acc[r][c] + a * tileB[k][tx * 4 + c];
              }
            }
          }
          workgroupBarrier();
        }
        for (var r = 0; r < 4; r = r + 1) {
          for (var c = 0; c < 4; c = c + 1) {
            let row = rowBase + ty * 4 + r;
            let col = colBase + tx * 4 + c;
            if (row < rows && col < outC) {
              result[(split * rows + row) * outC + col] = acc[r][c];
            }
          }
        }
      }
    `;
  }
}

// The second pass: dW = Σ over slices of the partial products.
class SumSplitsProgram {
  readonly variableNames = ["partial"];
  readonly uniforms = "splits : i32,";
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly size = true;
  readonly shaderKey = "xrayConv2DFilterGradSumSplits";

  constructor(filterShape: number[]) {
    this.outputShape = filterShape;
    this.dispatchLayout = { x: filterShape.map((_, i) => i) };
    const size = filterShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / 64), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var s = 0; s < uniforms.splits; s = s + 1) {
            sum = sum + partial[s * uniforms.size + index];
          }
          setOutputAtIndex(index, sum);
        }
      }
    `;
  }
}

/** dW of shape [kh, kw, inChannels, outChannels] for NHWC `x` and `dy`, on WebGPU. */
export function filterGradient(
  backend: WebGpuBackendLike,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  shape: FilterGradShape,
): tf.TensorInfo {
  const rows = shape.filterHeight * shape.filterWidth * shape.inChannels;
  const { splits, chunk } = splitPlan(shape);
  const partial = backend.runWebGPUProgram(
    new PartialProgram(rows, shape.outChannels, splits),
    [x, dy],
    "float32",
    [
      { type: "int32", data: [shape.padTop, shape.padLeft] },
      { type: "int32", data: [shape.strideHeight, shape.strideWidth] },
      { type: "int32", data: [shape.filterHeight, shape.filterWidth] },
      { type: "int32", data: [chunk] },
    ],
  );
  const filterShape = [shape.filterHeight, shape.filterWidth, shape.inChannels, shape.outChannels];
  try {
    return backend.runWebGPUProgram(new SumSplitsProgram(filterShape), [partial], "float32", [
      { type: "int32", data: [splits] },
    ]);
  } finally {
    backend.disposeData(partial.dataId);
  }
}
