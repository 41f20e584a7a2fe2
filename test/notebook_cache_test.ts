/** The execution cache re-runs a notebook only when its code, the library, the profile or the data changed. */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { executeNotebooks } from "../lib/notebook/execute.ts";
import { tempDir } from "./helpers.ts";

Deno.test("execution cache: unchanged → cached; library, profile, data or code change → re-executed", async () => {
  await using dir = await tempDir();
  const lib = join(dir.path, "lib"), data = join(dir.path, "data"), out = join(dir.path, "out");
  await Deno.mkdir(lib);
  await Deno.mkdir(join(data, "covid-chestxray"), { recursive: true });
  await Deno.writeTextFile(join(lib, "mod.ts"), "export const a = 1;\n");
  await Deno.writeTextFile(join(data, "covid-chestxray", "metadata.csv"), "a\n");
  const notebook = join(dir.path, "01-tiny.ipynb");
  const write = (code: string) =>
    Deno.writeTextFile(
      notebook,
      JSON.stringify({
        cells: [{
          cell_type: "code",
          metadata: {},
          source: code,
          outputs: [],
          execution_count: null,
        }],
        metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
  await write("6 * 7");
  const run = async (profile: "smoke" | "quick" = "smoke") =>
    (await executeNotebooks([notebook], {
      profile,
      cellTimeoutSeconds: 60,
      outDir: out,
      cache: { libDir: lib, extraFiles: [], profile, dataRoot: data },
    }))[0];

  assertEquals((await run()).reason, "no previous run");
  const executed = JSON.parse(await Deno.readTextFile(join(out, "01-tiny.ipynb")));
  assertEquals([executed.cells[0].outputs.at(-1).data["text/plain"]].flat().join(""), "42");
  assertEquals((await run()).executed, false); // nothing changed: no kernel started

  // a comment or a reformatting is not a change of the library
  await Deno.writeTextFile(join(lib, "mod.ts"), "/** one. */\nexport const a  =  1; // the one\n");
  assertEquals((await run()).executed, false);
  await Deno.writeTextFile(join(lib, "mod.ts"), "export const a = 2;\n"); // touch the library
  assertEquals((await run()).reason, "inputs changed");
  assertEquals((await run()).executed, false);

  assertEquals((await run("quick")).executed, true); // another profile

  await Deno.writeTextFile(join(data, "covid-chestxray", "metadata.csv"), "a,b\n"); // data changed
  assertEquals((await run("quick")).executed, true);

  await write("7 * 6"); // code changed
  assertEquals((await run("quick")).executed, true);
  assertEquals((await run("quick")).executed, false);
});
