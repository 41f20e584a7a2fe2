/** Small file-system helpers shared by the dataset loaders. @module */

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
