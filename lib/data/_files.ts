/** Small file-system helpers shared by the dataset loaders. @module */
import { isAbsolute, join, relative, resolve } from "node:path";

/** Names of the plain files in a folder; an absent folder gives an empty set. */
export function filesIn(dir: string): Set<string> {
  const names = new Set<string>();
  try {
    for (const entry of Deno.readDirSync(dir)) if (entry.isFile) names.add(entry.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names;
}

/**
 * The path of `name` inside `dir`, or why it is unsafe: a name from a metadata file must not
 * lead out of its dataset folder — no separators, no `..`, no absolute path, and no symbolic
 * link pointing elsewhere (a hostile `metadata.csv` could otherwise make the loader read, and
 * the error messages print, any file of the machine).
 */
export function safeChild(dir: string, name: string): { path: string } | { unsafe: string } {
  if (!name || name === "." || name === ".." || /[\\/\0]/.test(name) || isAbsolute(name)) {
    return { unsafe: `file name "${name}" would lead outside ${dir}` };
  }
  const path = join(dir, name);
  try {
    if (Deno.lstatSync(path).isSymlink) {
      const target = Deno.realPathSync(path);
      const inside = relative(Deno.realPathSync(dir), target);
      if (inside.startsWith("..") || isAbsolute(inside)) {
        return { unsafe: `${path} is a symbolic link out of the dataset folder` };
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { path };
}

/** Whether a path lies inside a folder (after resolving `..`; symbolic links not followed). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
