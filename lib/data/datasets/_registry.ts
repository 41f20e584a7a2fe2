/**
 * The registry of datasets, by key. Built-in datasets are registered by `mod.ts`; a script or a
 * test can add its own with {@link registerDataset}.
 * @module
 */
import { join } from "node:path";
import { DataMissingError, dataRoot } from "../../config.ts";
import type { XrayDataset } from "../dataset.ts";
import type { XrayRecord } from "../record.ts";

const registry = new Map<string, XrayDataset>();

/** Add a dataset (a key already registered is an error). */
export function registerDataset<R extends XrayRecord>(dataset: XrayDataset<R>): void {
  if (registry.has(dataset.info.key)) {
    throw new Error(`a dataset "${dataset.info.key}" is already registered`);
  }
  registry.set(dataset.info.key, dataset as unknown as XrayDataset);
}

/** Every registered dataset, in registration order. */
export function datasets(): XrayDataset[] {
  return [...registry.values()];
}

/** The dataset of a key (a record's `source`). @throws Error naming the known keys */
export function dataset(key: string): XrayDataset {
  const found = registry.get(key);
  if (!found) {
    throw new Error(`no dataset "${key}"; registered: ${[...registry.keys()].join(", ")}`);
  }
  return found;
}

/**
 * The folder of a dataset under the data root, checked to exist.
 * @throws DataMissingError naming the path, the source and the command that fetches it
 */
export function datasetDir(key: string, root: string = dataRoot()): string {
  const info = dataset(key).info;
  const dir = join(root, info.folder);
  if (!isDirectory(root)) {
    throw new DataMissingError(
      `Data root ${root} does not exist. Set XRAY_DATA_DIR to the folder that holds ` +
        `${datasets().map((d) => `${d.info.folder}/`).join(" and ")}, or fetch the data into ` +
        "it with `deno task data all` (the main job does it itself).",
    );
  }
  if (!isDirectory(dir)) {
    throw new DataMissingError(
      `${info.title} not found: ${dir} does not exist. Fetch it with \`deno task data all\` ` +
        `(source: ${info.homepage}), or point XRAY_DATA_DIR at a data root that has ` +
        `${info.folder}/.`,
    );
  }
  return dir;
}

/** Load a registered dataset from the data root. */
export function loadDataset(key: string, root: string = dataRoot()) {
  return dataset(key).load(datasetDir(key, root));
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
