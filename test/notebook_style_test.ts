/**
 * The chapters as teaching material: every code cell short (≤ 15 lines of ≤ 100 characters),
 * and each notebook's code, read in order as one module, passes the same type check and lint
 * as the library (deno lint and deno check do not read notebooks themselves).
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/config.ts";
import { listNotebooks } from "../lib/notebook/execute.ts";

const MAX_LINES = 15;
const MAX_WIDTH = 100;

interface Cell {
  cell_type: string;
  source: string | string[];
}

const notebooks = await listNotebooks(join(PROJECT_ROOT, "notebooks"));

async function codeCells(path: string): Promise<string[]> {
  const nb = JSON.parse(await Deno.readTextFile(path)) as { cells: Cell[] };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) =>
    Array.isArray(c.source) ? c.source.join("") : c.source
  );
}

for (const path of notebooks) {
  const name = path.split("/").pop()!;
  Deno.test(`${name}: code cells of at most ${MAX_LINES} lines of ${MAX_WIDTH} characters`, async () => {
    const problems: string[] = [];
    for (const [i, cell] of (await codeCells(path)).entries()) {
      const lines = cell.split("\n");
      if (lines.length > MAX_LINES) problems.push(`code cell ${i + 1}: ${lines.length} lines`);
      lines.forEach((l, k) => {
        if (l.length > MAX_WIDTH) {
          problems.push(`code cell ${i + 1}, line ${k + 1}: ${l.length} characters`);
        }
      });
    }
    if (problems.length) throw new Error(`${name}: ${problems.join("; ")}`);
  });

  Deno.test(`${name}: its code passes deno check and deno lint`, async () => {
    // beside the notebook, so that its relative imports ("../lib/mod.ts") resolve
    const module = join(PROJECT_ROOT, "notebooks", `.${name}.check.ts`);
    await Deno.writeTextFile(module, (await codeCells(path)).join("\n\n") + "\n");
    try {
      for (const args of [["check", "--quiet", module], ["lint", "--quiet", module]]) {
        const out = await new Deno.Command(Deno.execPath(), { args, stderr: "piped" }).output();
        if (!out.success) {
          const text = new TextDecoder().decode(out.stderr).replaceAll(module, name);
          throw new Error(`deno ${args[0]} of ${name}:\n${text}`);
        }
      }
    } finally {
      await Deno.remove(module);
    }
  });
}
