/**
 * What code a result depends on, as a hash that ignores what cannot change behaviour: comments,
 * formatting and types. Each TypeScript file is transpiled to JavaScript without comments (the
 * TypeScript compiler reprints the code, so layout is normalised too) before it is hashed. A run
 * hashes only the modules it imports, transitively — editing a chart does not retrain a model,
 * and editing a comment retrains nothing.
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, relative, resolve } from "node:path";
import ts from "typescript";

// transpiled text by source text: a file edited during a process is transpiled afresh
const normalised = new Map<string, string>();

/** A module's behaviour-bearing text: its JavaScript, without comments or types. */
async function normalisedSource(path: string): Promise<string> {
  const source = await Deno.readTextFile(path);
  if (!/\.[cm]?[jt]sx?$/.test(path)) return source; // data (e.g. a JSON import): as it is
  let text = normalised.get(source);
  if (text === undefined) {
    text = ts.transpileModule(source, {
      compilerOptions: {
        removeComments: true,
        target: ts.ScriptTarget.ESNext,
        module: ts.ModuleKind.ESNext,
      },
      fileName: path,
    }).outputText;
    normalised.set(source, text);
  }
  return text;
}

/**
 * The local modules `entries` import, transitively (npm and URL imports are left out), except
 * `exclude`d files and what only they import.
 */
export async function moduleClosure(
  entries: readonly string[],
  exclude: readonly string[] = [],
): Promise<string[]> {
  const seen = new Set<string>();
  const skip = new Set(exclude.map((e) => resolve(e)));
  const queue = entries.map((e) => resolve(e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file) || skip.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]sx?$/.test(file)) continue; // data imports have no imports of their own
    const source = await Deno.readTextFile(file);
    for (const m of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      queue.push(resolve(dirname(file), m[1]));
    }
  }
  return [...seen].sort();
}

/**
 * Hash of the normalised source of `files` (paths relative to `root` are part of it), plus the
 * raw bytes of `extraFiles` (e.g. deno.json, deno.lock: package versions).
 */
export async function codeHash(
  root: string,
  files: readonly string[],
  extraFiles: readonly string[] = [],
): Promise<string> {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) {
    hash.update(`${relative(root, file)}\0${await normalisedSource(file)}\0`);
  }
  for (const file of extraFiles) {
    hash.update(`${relative(root, file)}\0`);
    try {
      hash.update(await Deno.readFile(file));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      hash.update("<absent>");
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}
