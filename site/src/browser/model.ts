/// <reference lib="dom" />
/**
 * Loading a published model in the browser, from the site's own files only: model.json, then
 * each weight shard with a progress report, then TF.js builds the network from memory. A file
 * that fails names itself in the error.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Bytes loaded so far of the total. */
export type LoadProgress = (loaded: number, total: number) => void;

/** A model that could not be loaded, naming the file. */
export class ModelLoadError extends Error {}

/** Fetch `dir`model.json and its shards (`total` bytes expected) and build the model. */
export async function loadPublishedModel(
  dir: string,
  total: number,
  progress: LoadProgress,
): Promise<tf.LayersModel> {
  const jsonUrl = `${dir}model.json`;
  const jsonBytes = await fetchBytes(jsonUrl);
  let json: {
    modelTopology: tf.io.ModelArtifacts["modelTopology"];
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes));
  } catch {
    throw new ModelLoadError(`${jsonUrl} is not valid JSON.`);
  }
  let loaded = jsonBytes.length;
  progress(loaded, total);
  const shards: Uint8Array[] = [];
  for (const path of json.weightsManifest.flatMap((g) => g.paths)) {
    const bytes = await fetchBytes(`${dir}${path}`);
    shards.push(bytes);
    loaded += bytes.length;
    progress(loaded, total);
  }
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  shards.reduce((at, s) => (weightData.set(s, at), at + s.length), 0);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer,
    }));
  } catch (e) {
    throw new ModelLoadError(`${jsonUrl} could not be built into a model: ${(e as Error).message}`);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(`${url} could not be fetched (${(e as Error).message}).`);
  }
  if (!response.ok) {
    throw new ModelLoadError(`${url} could not be loaded (HTTP ${response.status}).`);
  }
  return new Uint8Array(await response.arrayBuffer());
}
