/**
 * The execution cache (as Jupyter Book does it): a notebook is re-executed only when its code
 * cells, the library's source, the profile or the data manifest changed. The key of the last
 * successful run is stored in the executed notebook's metadata (`metadata.xray.execution`).
 * @module
 */
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { codeHash } from "../code_hash.ts";
import { datasets } from "../data/datasets/mod.ts";
import { EXTERNAL_KEY } from "../data/datasets/external.ts";

/** What the key of a notebook execution is made of. */
export interface CacheInputs {
  /** The library folder whose sources the notebooks import. */
  readonly libDir: string;
  /** Files outside `libDir` that change behaviour (deno.json, deno.lock). */
  readonly extraFiles: readonly string[];
  readonly profile: string;
  readonly dataRoot: string;
}

/** The execution stamp written into a notebook's metadata. */
export interface ExecutionStamp {
  readonly key: string;
  readonly profile: string;
  readonly executedAt: string;
  readonly seconds: number;
}

/**
 * Hash of every `.ts` file under a folder — its behaviour-bearing code, without comments or
 * formatting (see `code_hash.ts`) — and of `extraFiles` byte for byte, in a stable order.
 */
async function sourceHash(dir: string, extraFiles: readonly string[] = []): Promise<string> {
  const files = (await walk(dir)).filter((f) => f.endsWith(".ts"));
  return await codeHash(dir, files, extraFiles);
}

/**
 * Hash of the data the notebooks read: path and size of every file in the known dataset
 * folders. Sizes (not contents) keep this cheap; a changed label file changes its size.
 */
export async function dataManifestHash(root: string): Promise<string> {
  const hash = createHash("sha256");
  // the registered datasets, and the external-validation collections (chapter 7)
  const folders = [...datasets().map((d) => d.info.folder), EXTERNAL_KEY];
  for (const folder of folders) {
    const files = (await walk(join(root, folder))).sort();
    for (const file of files) {
      const { size } = await Deno.stat(file);
      hash.update(`${relative(root, file)}\0${size}\n`);
    }
  }
  return hash.digest("hex");
}

/** The cache key of a notebook: its code, the library, the profile and the data. */
export async function executionKey(notebookPath: string, inputs: CacheInputs): Promise<string> {
  const notebook = JSON.parse(await Deno.readTextFile(notebookPath));
  const code = notebook.cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string | string[] }) =>
      Array.isArray(c.source) ? c.source.join("") : c.source
    );
  return createHash("sha256").update(JSON.stringify({
    code,
    lib: await sourceHash(inputs.libDir, inputs.extraFiles),
    profile: inputs.profile,
    data: await dataManifestHash(inputs.dataRoot),
  })).digest("hex");
}

/** The stamp of an executed notebook, if it has one. */
export async function readStamp(notebookPath: string): Promise<ExecutionStamp | undefined> {
  try {
    const notebook = JSON.parse(await Deno.readTextFile(notebookPath));
    return notebook.metadata?.xray?.execution;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Write the stamp into an executed notebook, keeping Jupyter's JSON layout. */
export async function writeStamp(notebookPath: string, stamp: ExecutionStamp): Promise<void> {
  const notebook = JSON.parse(await Deno.readTextFile(notebookPath));
  notebook.metadata.xray = { ...notebook.metadata.xray, execution: stamp };
  await Deno.writeTextFile(notebookPath, JSON.stringify(notebook, null, 1) + "\n");
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) out.push(...await walk(path));
      else if (entry.isFile) out.push(path);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}
