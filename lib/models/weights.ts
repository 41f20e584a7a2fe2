/**
 * Weights by name: read a TF.js layers-model folder (model.json + binary shards) from disk or
 * over http(s) into a name → tensor map, and copy those weights into a model whose layers carry
 * the same names. A missing, extra or mis-shaped weight is reported by name, never guessed.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "node:path";
import { Progress } from "../progress.ts";
import { concatBytes } from "./bytes.ts";

/** Raised when weights do not fit a model; names the weights. */
export class WeightsMismatchError extends Error {
  constructor(readonly source: string, problems: string[]) {
    super(
      `${source}: the weights do not fit the model: ${problems.slice(0, 8).join("; ")}${
        problems.length > 8 ? `; … ${problems.length - 8} more` : ""
      }`,
    );
    this.name = "WeightsMismatchError";
  }
}

interface ModelJson {
  weightsManifest?: tf.io.WeightsManifestConfig;
  modelTopology?: unknown;
}

/**
 * All weights of a TF.js model, keyed by their names (e.g. `conv1/conv/kernel`).
 * @param modelJson path or http(s) URL of `model.json`; shards are read from beside it.
 */
export async function readNamedWeights(
  modelJson: string,
  options: { label?: string } = {},
): Promise<tf.NamedTensorMap> {
  const remote = /^https?:\/\//.test(modelJson);
  const text = await readText(modelJson, remote);
  let json: ModelJson;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${modelJson}: not valid JSON (${(e as Error).message})`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${modelJson}: no weightsManifest`);
  const base = remote ? modelJson.replace(/[^/]*$/, "") : dirname(modelJson);
  const shards = manifest.flatMap((group) => group.paths);
  const progress = new Progress(options.label ?? "read weights", shards.length, { unit: "shards" });
  const named: tf.NamedTensorMap = {};
  for (const group of manifest) {
    const parts: Uint8Array[] = [];
    for (const path of group.paths) {
      parts.push(await readBytes(remote ? base + path : join(base, path), remote));
      progress.tick();
    }
    const bytes = concatBytes(parts);
    const expected = group.weights.reduce((n, w) => n + byteSize(w), 0);
    if (bytes.length !== expected) {
      tf.dispose(Object.values(named));
      throw new Error(
        `${modelJson}: shards ${group.paths.join(", ")} hold ${bytes.length} bytes, ` +
          `the manifest describes ${expected}`,
      );
    }
    Object.assign(named, tf.io.decodeWeights(bytes.buffer as ArrayBuffer, group.weights));
  }
  await progress.finish();
  return named;
}

/** What {@link assignWeights} did. */
export interface AssignReport {
  readonly assigned: number;
  /** Model weights that kept their own values (the layers of `keepLayers`). */
  readonly untouched: string[];
  /** Weights in the file that the model does not have. */
  readonly unused: string[];
}

/**
 * Copy weights into `model` by original name. Every model weight must be found with the right
 * shape, except those of the layers in `keepLayers` (e.g. a new classifier), which keep their
 * own values whatever the file holds. The map's tensors are not disposed.
 */
export function assignWeights(
  model: tf.LayersModel,
  named: tf.NamedTensorMap,
  source: string,
  options: { keepLayers?: readonly string[]; allowUnused?: boolean } = {},
): AssignReport {
  const keep = new Set(options.keepLayers ?? []);
  const problems: string[] = [];
  const untouched: string[] = [];
  const pairs: [tf.LayerVariable, tf.Tensor][] = [];
  const used = new Set<string>();
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      if (keep.has(layer.name)) {
        untouched.push(weight.originalName);
        used.add(weight.originalName); // the file's version, if any, is replaced on purpose
        continue;
      }
      const tensor = named[weight.originalName];
      if (!tensor) {
        problems.push(`${weight.originalName} missing`);
        continue;
      }
      if (!tf.util.arraysEqual(tensor.shape, weight.shape as number[])) {
        problems.push(
          `${weight.originalName} has shape [${tensor.shape}] in the file, [${weight.shape}] in the model`,
        );
        continue;
      }
      used.add(weight.originalName);
      pairs.push([weight, tensor]);
    }
  }
  const unused = Object.keys(named).filter((name) => !used.has(name));
  if (unused.length && !options.allowUnused) {
    problems.push(...unused.map((name) => `${name} in the file but not in the model`));
  }
  if (problems.length) throw new WeightsMismatchError(source, problems);
  for (const [weight, tensor] of pairs) weight.write(tensor);
  return { assigned: pairs.length, untouched, unused };
}

function byteSize(w: tf.io.WeightsManifestEntry): number {
  const bytesPerValue = w.dtype === "float32" || w.dtype === "int32" ? 4 : 1;
  if (w.quantization) {
    throw new Error(`quantized weight ${w.name} is not supported`);
  }
  return w.shape.reduce((a, b) => a * b, 1) * bytesPerValue;
}

async function readText(location: string, remote: boolean): Promise<string> {
  return new TextDecoder().decode(await readBytes(location, remote));
}

async function readBytes(location: string, remote: boolean): Promise<Uint8Array> {
  if (remote) {
    const response = await fetch(location);
    if (!response.ok) throw new Error(`${location}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  try {
    return await Deno.readFile(location);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${location}: file not found`);
    throw e;
  }
}
