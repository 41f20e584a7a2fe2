/**
 * xray-transfer: the library behind the chapters. Import everything from here:
 *
 * ```ts
 * import { covidStudyData, currentProfile, initBackend, trainArm } from "../lib/mod.ts";
 * ```
 *
 * What is public: what a chapter imports, and the building blocks a script of your own needs
 * to do what a chapter does — load and split data, train, predict, evaluate with intervals and
 * paired tests, explain, map, and show. Not public: backend internals (wasm kernels, native
 * loading), file formats of checkpoints and caches, download internals and pins, helpers a
 * folder keeps to itself (files starting with `_`). Each folder's `mod.ts` lists its part.
 * @module
 */
export {
  cacheDir,
  currentProfile,
  DataMissingError,
  dataRoot,
  dataRootLabel,
  type Profile,
  type ProfileName,
  PROFILES,
  PROJECT_ROOT,
  resultsRoot,
  weightsDir,
} from "./config.ts";
export { deriveSeed, Rng } from "./rng.ts";
export { Progress, withActivity } from "./progress.ts";
export { readResults, type RunInfo, runInfo, saveResults } from "./results.ts";
export * from "./study.ts";
export { type BackendInfo, backendInfo, type BackendName, initBackend, tf } from "./backend/mod.ts";
export * from "./data/mod.ts";
export * from "./eval/mod.ts";
export * from "./models/mod.ts";
export * from "./train/mod.ts";
export * from "./experiments/mod.ts";
export * from "./explain/mod.ts";
export * from "./projection/mod.ts";
export * from "./viz/mod.ts";
export * from "./report/mod.ts";
