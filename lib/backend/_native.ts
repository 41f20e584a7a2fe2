/**
 * Native TensorFlow through `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`, when one is
 * installed: in the project (`npm install @tensorflow/tfjs-node`), or in `.tools/native/` by
 * `scripts/native.sh` (which takes libtensorflow from the TensorFlow wheel where tfjs-node's own
 * installer cannot download it). Optional by design: neither is a dependency, and a missing or
 * broken install only means another backend.
 *
 * The package brings its own copy of TensorFlow.js; it still registers its backend with ours,
 * because the engine and the kernel registry live on the global object, shared by all copies.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRequire } from "node:module";
import nodeUtil from "node:util";
import { join } from "node:path";
import { env, PROJECT_ROOT } from "../config.ts";

/** A native backend that loaded. */
export interface NativeBackend {
  readonly packageName: string;
  readonly version: string;
  readonly location: string;
}

const PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/** Where native packages are looked for: the project, then `.tools/native`. */
function nativeLocations(): string[] {
  const extra = env("XRAY_NATIVE_DIR");
  return [...(extra ? [extra] : []), PROJECT_ROOT, join(PROJECT_ROOT, ".tools", "native")];
}

/** Load the first native package found; the reasons as a string when none loads. */
export function loadNative(): Promise<NativeBackend | string> {
  restoreLegacyUtil();
  const reasons: string[] = [];
  for (const location of nativeLocations()) {
    const require = createRequire(join(location, "package.json"));
    for (const packageName of PACKAGES) {
      let path: string;
      try {
        path = require.resolve(packageName);
      } catch {
        continue;
      }
      // its copy of TensorFlow.js registers the cpu backend and kernels again, warning once
      // per kernel; PROD mode keeps that quiet. TensorFlow's own start-up notes likewise.
      const prod = tf.env().getBool("PROD");
      tf.env().set("PROD", true);
      if (!env("TF_CPP_MIN_LOG_LEVEL")) Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "2");
      try {
        require(path);
      } catch (e) {
        reasons.push(`${packageName} in ${location} failed to load (${firstLine(e)})`);
        continue;
      } finally {
        tf.env().set("PROD", prod);
      }
      if (!tf.findBackendFactory("tensorflow")) {
        reasons.push(`${packageName} loaded but registered no "tensorflow" backend`);
        continue;
      }
      const version = require(`${packageName}/package.json`).version as string;
      return Promise.resolve({ packageName, version, location });
    }
  }
  return Promise.resolve(
    reasons.length ? reasons.join("; ") : "tfjs-node is not installed (see scripts/native.sh)",
  );
}

// tfjs-node calls util.isNullOrUndefined and util.isArray, which Node deprecated long ago and
// Deno's node:util does not provide.
function restoreLegacyUtil(): void {
  const util = nodeUtil as unknown as Record<string, unknown>;
  util.isNullOrUndefined ??= (x: unknown) => x === null || x === undefined;
  util.isArray ??= Array.isArray;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
