/// <reference lib="dom" />
/**
 * One image through one model in the browser, with the library's own code: grey conversion and
 * resizing (`lib/data/preprocess.ts`), the architecture's normalisation (`lib/data/normalise.ts`)
 * and the class activation map (`lib/explain/cam.ts`) — the same modules the notebooks run, so
 * the page and chapter 4 agree by construction.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { resizeGrey, type Rgba, rgbaToGrey } from "../../../lib/data/preprocess.ts";
import { type ModelName, writeModelInput } from "../../../lib/data/normalise.ts";
import {
  camModel,
  camsFromFeatures,
  normaliseMap,
  upsampledMaps,
} from "../../../lib/explain/cam.ts";

/** A prediction: the model's input (grey, side×side), its score, and the CAM in [0, 1]. */
export interface BrowserPrediction {
  readonly side: number;
  readonly grey: Uint8Array;
  readonly score: number;
  readonly heat: Float32Array;
}

const camModels = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** Score `image` with `model` and compute its class activation map. */
export async function predictImage(
  model: tf.LayersModel,
  arch: ModelName,
  side: number,
  image: Rgba,
): Promise<BrowserPrediction> {
  const grey = resizeGrey(rgbaToGrey(image), image.width, image.height, side);
  const input = new Float32Array(side * side * 3);
  writeModelInput({ side, data: grey }, arch, input);
  let both = camModels.get(model);
  if (!both) camModels.set(model, both = camModel(model));
  const x = tf.tensor4d(input, [1, side, side, 3]);
  const [features, scores] = both.predict(x) as tf.Tensor[];
  const maps = camsFromFeatures(model, features as tf.Tensor4D);
  const up = upsampledMaps(maps, side);
  try {
    // read back asynchronously: a GPU backend must not block the page
    const score = (await scores.data())[0];
    const heat = normaliseMap(Float32Array.from(await up.data()), "max");
    return { side, grey, score, heat };
  } finally {
    tf.dispose([x, features, scores, maps, up]);
  }
}
