/**
 * xray-transfer: the shared library behind the notebooks. Import everything from here:
 *
 * ```ts
 * import { loadCovid, covidSplit, currentProfile } from "../lib/mod.ts";
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./rng.ts";
export * from "./progress.ts";
export * from "./results.ts";
export * from "./backend/mod.ts";
export * from "./data/records.ts";
export * from "./data/csv.ts";
export * from "./data/covid.ts";
export * from "./data/nih.ts";
export * from "./data/splits.ts";
export * from "./data/covid_splits.ts";
export * from "./data/nih_splits.ts";
export * from "./data/images.ts";
export * from "./data/normalise.ts";
export * from "./data/augment.ts";
export * from "./data/cache.ts";
export * from "./data/pipeline.ts";
export * from "./data/summary.ts";
export * from "./data/download.ts";
export * from "./data/sources.ts";
export * from "./eval/mod.ts";
export * from "./study.ts";
export * from "./models/backbone.ts";
export * from "./models/batchnorm.ts";
export * from "./models/build.ts";
export * from "./models/imagenet.ts";
export * from "./models/io.ts";
export * from "./models/weights.ts";
export * from "./train/adam.ts";
export * from "./train/checkpoint.ts";
export * from "./train/features.ts";
export * from "./train/loop.ts";
export * from "./train/loss.ts";
export * from "./train/predict.ts";
export * from "./train/schedule.ts";
export * from "./viz/display.ts";
export * from "./viz/plot.ts";
export * from "./viz/images.ts";
export * from "./viz/table.ts";
export * from "./viz/roc.ts";
export * from "./experiments/arm.ts";
export * from "./experiments/evaluate.ts";
export * from "./experiments/heads.ts";
export * from "./experiments/hyper.ts";
export * from "./experiments/runs.ts";
export * from "./experiments/subset.ts";
export * from "./experiments/source_cues.ts";
export * from "./explain/cam.ts";
export * from "./explain/gradcam.ts";
export * from "./explain/lungs.ts";
export * from "./explain/overlay.ts";
export * from "./maps/embed.ts";
export * from "./maps/quality.ts";
export * from "./maps/som.ts";
