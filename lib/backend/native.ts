/**
 * Native TensorFlow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`, when the
 * user has installed one (`npm install @tensorflow/tfjs-node` in the project). Optional by
 * design: neither is a dependency, and a missing or broken install only means another backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PROJECT_ROOT } from "../config.ts";

/** A native backend that loaded. */
export interface NativeBackend {
  readonly packageName: string;
  readonly version: string;
  readonly gpu: boolean;
}

const PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/** Load the first native package that is installed; the reason as a string when none loads. */
export function loadNative(): Promise<NativeBackend | string> {
  const require = createRequire(join(PROJECT_ROOT, "package.json"));
  const reasons: string[] = [];
  for (const packageName of PACKAGES) {
    let path: string;
    try {
      path = require.resolve(packageName);
    } catch {
      reasons.push(`${packageName} not installed`);
      continue;
    }
    try {
      require(path);
    } catch (e) {
      reasons.push(`${packageName} failed to load (${firstLine(e)})`);
      continue;
    }
    // the package registers "tensorflow" on the tfjs-core it imports; it must be ours
    if (!tf.findBackendFactory("tensorflow")) {
      reasons.push(`${packageName} loaded a different copy of @tensorflow/tfjs-core`);
      continue;
    }
    const version = require(join(path.split(packageName)[0], packageName, "package.json"))
      .version as string;
    return Promise.resolve({ packageName, version, gpu: packageName.endsWith("-gpu") });
  }
  return Promise.resolve(reasons.join("; "));
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
