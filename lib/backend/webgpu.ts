/**
 * WebGPU, as Deno ships it: the portable GPU path (Vulkan, Metal or D3D12 underneath), through
 * TensorFlow.js' WebGPU backend and this project's kernels. A software adapter (Mesa's llvmpipe,
 * SwiftShader) runs the same shaders on the CPU — right for tests, far slower than native
 * TensorFlow for work — so the chooser takes WebGPU on its own only on a hardware adapter.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The adapter WebGPU offers here. */
export interface WebGpuAdapterInfo {
  /** e.g. "NVIDIA H200" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly description: string;
  /** A CPU implementation of WebGPU rather than a GPU. */
  readonly software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

let probed: Promise<WebGpuAdapterInfo | undefined> | undefined;

/** The best adapter WebGPU offers, or undefined where there is none (probed once). */
export function webGpuAdapter(): Promise<WebGpuAdapterInfo | undefined> {
  probed ??= (async () => {
    // deno-lint-ignore no-explicit-any
    const gpu = (navigator as any).gpu;
    if (!gpu) return undefined;
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" })
      .catch(() => null);
    if (!adapter) return undefined;
    const info = adapter.info ?? {};
    const description = String(info.description || info.device || info.vendor || "unknown");
    return {
      description,
      software: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) ||
        SOFTWARE.test(description),
    };
  })();
  return probed;
}

/** Register TF.js' WebGPU backend and the project's kernels, and switch to it. */
export async function startWebGpu(): Promise<boolean> {
  await import("@tensorflow/tfjs-backend-webgpu");
  const { registerWebGpuKernels } = await import("./_webgpu/mod.ts");
  registerWebGpuKernels();
  if (!(await tf.setBackend("webgpu").catch(() => false))) return false;
  await tf.ready();
  return true;
}
