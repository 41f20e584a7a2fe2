/**
 * Save and load models in the standard TF.js layers format — `model.json` plus 4 MiB binary
 * shards, as the official converter writes them — so that the same folder loads with
 * `tf.loadLayersModel` in a browser or in Node.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { concatBytes } from "./bytes.ts";

const SHARD_BYTES = 4 * 1024 * 1024;

/** Write `model` to `dir` (created if needed; files are written to a temporary name first). */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    await Deno.mkdir(dir, { recursive: true });
    const weightData = artifacts.weightData;
    const data = concatBytes(
      weightData ? (Array.isArray(weightData) ? weightData : [weightData]) : [],
    );
    const count = Math.max(1, Math.ceil(data.length / SHARD_BYTES));
    const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
    for (let i = 0; i < count; i++) {
      await writeAtomic(join(dir, paths[i]), data.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
    }
    const json = {
      format: "layers-model",
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
      userDefinedMetadata: artifacts.userDefinedMetadata,
    };
    await writeAtomic(join(dir, "model.json"), new TextEncoder().encode(JSON.stringify(json)));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
}

/** Load a model saved by {@link saveModel} (or by the TF.js converter) from a folder. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const path = join(dir, "model.json");
  let json: {
    modelTopology: tf.io.ModelArtifacts["modelTopology"];
    weightsManifest: tf.io.WeightsManifestConfig;
    userDefinedMetadata?: Record<string, unknown>;
  };
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`${path}: cannot read a saved model (${(e as Error).message})`);
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const shard of group.paths) parts.push(await Deno.readFile(join(dir, shard)));
  }
  const bytes = concatBytes(parts);
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: bytes.buffer,
    userDefinedMetadata: json.userDefinedMetadata,
  }));
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}
