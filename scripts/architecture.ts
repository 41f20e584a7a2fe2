/**
 * `deno run -A scripts/architecture.ts [--json] [--list]`: the shape of the code drawn from its
 * imports, for notes on its architecture.
 *
 * - rooms: the top-level folders of `lib/` (with their subfolders), each file directly in `lib/`
 *   (config, study, progress, the façade mod.ts …), and the folders of `site/` and `site/src/`
 *   holding source (`.ts`, `.astro`, `.mjs`);
 * - arrows: folder → folder import edges (each pair once; imports inside a folder do not count);
 * - floors: the most rooms on one path along the arrows (cycles collapsed first);
 * - cycles: groups of rooms that reach each other (strongly connected, more than one room);
 * - exports: names `lib/mod.ts` exports, following `export *` and `export { … } from`;
 * - used: how many of those the notebooks import from `lib/mod.ts`;
 * - lib lines: lines of `lib/**.ts`.
 *
 * Imports are read as text (static `import`/`export … from`, `import("…")`), relative paths only:
 * package imports are not rooms. `--list` prints the arrows, one a line.
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const SOURCES = ["lib", "site"];
const SKIP = new Set(["node_modules", "dist", ".astro", "pins", "public"]);
const SOURCE_FILE = /\.(ts|astro|mjs)$/;

/** The numbers this script reports. */
export interface Architecture {
  rooms: number;
  floors: number;
  arrows: number;
  cycles: string[][];
  exports: number;
  usedByNotebooks: number;
  libLines: number;
  longestPath: string[];
  edges: [string, string][];
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile && SOURCE_FILE.test(entry.name)) yield path;
  }
}

const IMPORT =
  /(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(?\s*["']([^"']+)["']/g;

// comment lines (JSDoc examples quote imports) are no imports
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*).*$/gm;

/** Relative specifiers a source file imports. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.replace(COMMENT_LINE, "").matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith(".")) found.push(spec);
  }
  return found;
}

/** Folder-level graph measures of `edges` among `rooms`. */
export function measure(rooms: string[], edges: [string, string][]) {
  const next = new Map(rooms.map((r) => [r, [] as string[]]));
  for (const [a, b] of edges) next.get(a)!.push(b);
  // Tarjan's strongly connected components
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), components: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter), low.set(v, counter++), stack.push(v), onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do (w = stack.pop()!), onStack.delete(w), component.push(w); while (w !== v);
      components.push(component);
    }
  };
  for (const r of rooms) if (!index.has(r)) visit(r);
  const componentOf = new Map<string, number>();
  components.forEach((c, i) => c.forEach((r) => componentOf.set(r, i)));
  // longest path over the condensed graph, counted in rooms
  const best = new Map<number, string[]>();
  const longest = (c: number): string[] => {
    if (best.has(c)) return best.get(c)!;
    let tail: string[] = [];
    for (const r of components[c]) {
      for (const w of next.get(r)!) {
        const d = componentOf.get(w)!;
        if (d !== c) {
          const path = longest(d);
          if (path.length > tail.length) tail = path;
        }
      }
    }
    const path = [components[c].join("+"), ...tail];
    best.set(c, path);
    return path;
  };
  let longestPath: string[] = [];
  for (let c = 0; c < components.length; c++) {
    const path = longest(c);
    if (path.length > longestPath.length) longestPath = path;
  }
  return { cycles: components.filter((c) => c.length > 1), longestPath };
}

async function resolveFile(from: string, spec: string): Promise<string | undefined> {
  const target = resolve(dirname(from), spec);
  for (const candidate of [target, `${target}.ts`, join(target, "mod.ts")]) {
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch { /* not this one */ }
  }
  return undefined;
}

// A room is a top-level folder of lib/ (its subfolders belong to it: data/datasets is part of the
// data room, backend/_kernels of the backend room), or a folder of site/ or site/src/. A file
// directly in lib/ is a room of its own: they sit on different floors (config at the bottom,
// mod.ts, the façade, at the top), and as one room they would draw cycles that are not there.
const room = (file: string): string => {
  const parts = relative(ROOT, file).split("/");
  if (parts[0] === "lib") return parts.slice(0, 2).join("/");
  const depth = parts[1] === "src" ? 3 : 2;
  return parts.slice(0, Math.min(depth, parts.length - 1)).join("/");
};

/** Names a module exports, following re-exports among the project's files. */
export async function exportedNames(file: string, seen = new Set<string>()): Promise<Set<string>> {
  const names = new Set<string>();
  if (seen.has(file)) return names;
  seen.add(file);
  const text = stripComments(await Deno.readTextFile(file));
  for (const m of text.matchAll(/export\s+\*\s+from\s+["']([^"']+)["']/g)) {
    const target = await resolveFile(file, m[1]);
    if (target) { for (const n of await exportedNames(target, seen)) names.add(n); }
  }
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim();
      if (name) names.add(name);
    }
  }
  const declared =
    /export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g;
  for (const m of text.matchAll(declared)) names.add(m[1]);
  return names;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** Names the notebooks import from `lib/mod.ts`. */
async function notebookNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const entry of Deno.readDir(join(ROOT, "notebooks"))) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(await Deno.readTextFile(join(ROOT, "notebooks", entry.name)));
    for (const cell of nb.cells) {
      if (cell.cell_type !== "code") continue;
      const source = [cell.source].flat().join("");
      for (
        const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']\.\.\/lib\/mod\.ts["']/g)
      ) {
        for (const part of m[1].split(",")) {
          const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0].trim();
          if (name) names.add(name);
        }
      }
    }
  }
  return names;
}

/** Measure the working tree. */
export async function architecture(): Promise<Architecture> {
  const files: string[] = [];
  for (const top of SOURCES) for await (const f of walk(join(ROOT, top))) files.push(f);
  const rooms = [...new Set(files.map(room))].sort();
  const edges = new Set<string>();
  let libLines = 0;
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    if (file.startsWith(join(ROOT, "lib")) && file.endsWith(".ts")) {
      libLines += text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    }
    for (const spec of importsOf(text)) {
      const target = await resolveFile(file, spec.replace(/\?.*$/, ""));
      if (!target || !target.startsWith(ROOT)) continue;
      const [a, b] = [room(file), room(target)];
      if (a !== b && rooms.includes(b)) edges.add(`${a}\t${b}`);
    }
  }
  const pairs = [...edges].sort().map((e) => e.split("\t") as [string, string]);
  const { cycles, longestPath } = measure(rooms, pairs);
  const exported = await exportedNames(join(ROOT, "lib/mod.ts"));
  const used = [...await notebookNames()].filter((n) => exported.has(n));
  return {
    rooms: rooms.length,
    floors: longestPath.length,
    arrows: pairs.length,
    cycles,
    exports: exported.size,
    usedByNotebooks: used.length,
    libLines,
    longestPath,
    edges: pairs,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { json: { type: "boolean" }, list: { type: "boolean" } },
  });
  const a = await architecture();
  if (values.json) console.log(JSON.stringify(a, null, 2));
  else {
    console.log(
      `rooms ${a.rooms}, floors ${a.floors}, arrows ${a.arrows}, cycles ${a.cycles.length}; ` +
        `lib/mod.ts exports ${a.exports} names, the notebooks use ${a.usedByNotebooks}; ` +
        `lib: ${a.libLines} lines`,
    );
    console.log(`longest path: ${a.longestPath.join(" → ")}`);
    for (const c of a.cycles) console.log(`cycle: ${c.join(" ↔ ")}`);
    if (values.list) { for (const [x, y] of a.edges) console.log(`${x} → ${y}`); }
  }
}
