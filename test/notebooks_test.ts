/**
 * Execute the notebooks at the smoke profile through Jupyter (nbconvert/nbclient) with the
 * Deno kernel; any cell error fails the test with the notebook, cell and error named.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "./assert.ts";
import { PROJECT_ROOT } from "../lib/config.ts";
import {
  executeNotebook,
  KernelDiedError,
  listNotebooks,
  NotebookError,
} from "../lib/notebook/execute.ts";
import { DATA_ROOT, tempDir } from "./helpers.ts";

const OUT = join(PROJECT_ROOT, "test-output", "notebooks");
await Deno.mkdir(OUT, { recursive: true });

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}

for (const path of await listNotebooks(join(PROJECT_ROOT, "notebooks"))) {
  const name = path.split("/").pop()!;
  Deno.test(`notebook ${name} executes at the smoke profile`, async () => {
    const output = await executeNotebook(path, {
      profile: "smoke",
      output: join(OUT, name),
      cellTimeoutSeconds: 600,
      env: { XRAY_DATA_DIR: DATA_ROOT },
    });
    const notebook = JSON.parse(await Deno.readTextFile(output));
    const code = notebook.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
    const outputs: Output[] = code.flatMap((c: { outputs: Output[] }) => c.outputs);
    // every code cell ran, and the notebook shows figures and tables, not only text
    assertEquals(
      code.every((c: { execution_count: number | null }) => c.execution_count !== null),
      true,
    );
    const kinds = new Set(outputs.flatMap((o) => Object.keys(o.data ?? {})));
    for (const mime of ["text/html", "text/plain"]) {
      if (!kinds.has(mime)) throw new Error(`${name}: no ${mime} output`);
    }
  });
}

Deno.test("a failing cell is reported with the notebook, the cell and the error", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "broken.ipynb");
  const cell = (source: string) => ({
    cell_type: "code",
    metadata: {},
    source,
    outputs: [],
    execution_count: null,
  });
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      cells: [cell("const x = 1;"), cell('throw new RangeError("bad input in cell two");')],
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  const e = await assertRejects(
    () => executeNotebook(path, { profile: "smoke", cellTimeoutSeconds: 60 }),
    NotebookError,
  );
  assertEquals([e.cell, e.ename, e.evalue], [2, "RangeError", "bad input in cell two"]);
  // the failed run left the input untouched
  assertEquals(JSON.parse(await Deno.readTextFile(path)).cells[0].outputs, []);
});

Deno.test("a kernel that dies is one line: notebook, cell, heading, and how to resume", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "05-dies.ipynb");
  const cell = (cell_type: string, source: string) =>
    cell_type === "code"
      ? { cell_type, metadata: {}, source, outputs: [], execution_count: null }
      : { cell_type, metadata: {}, source };
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      cells: [
        cell("code", "const x = 1;"),
        cell("markdown", "## Training the big one\n\nThis takes memory."),
        cell("code", 'Deno.kill(Deno.pid, "SIGKILL");'), // as the OOM killer would
      ],
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  const e = await assertRejects(
    () => executeNotebook(path, { profile: "smoke", cellTimeoutSeconds: 60 }),
    KernelDiedError,
  );
  assertEquals(
    e.message,
    '05-dies.ipynb, cell 2 (under "Training the big one"): the kernel died (killed or out of ' +
      "memory); run the same command again to resume from the last checkpoint",
  );
  assertEquals(e.message.includes("\n"), false);
});
