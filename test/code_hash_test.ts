/**
 * A run's identity follows its code, not its comments: the training code hash ignores comments,
 * formatting and types, covers the modules a run imports, and changes with their behaviour.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { codeHash, moduleClosure } from "../lib/code_hash.ts";
import { PROJECT_ROOT } from "../lib/config.ts";
import { tempDir } from "./helpers.ts";

Deno.test("code hash: comments, layout and types change nothing; behaviour changes it", async () => {
  await using dir = await tempDir();
  const a = join(dir.path, "a.ts"), b = join(dir.path, "b.ts"), other = join(dir.path, "c.ts");
  const write = async (aText: string, bText = "export const two = 2;\n") => {
    await Deno.writeTextFile(a, aText);
    await Deno.writeTextFile(b, bText);
    await Deno.writeTextFile(other, "export const unrelated = 0;\n");
    const files = await moduleClosure([a]);
    return await codeHash(dir.path, files);
  };
  const base = await write(
    'import { two } from "./b.ts";\nexport const f = (x: number) => x * two;\n',
  );
  // a comment, a reformatting, a type annotation: the same code
  assertEquals(
    await write(
      '/** Doubles. */\nimport { two } from "./b.ts";\n// why: a reason\nexport const f = ' +
        "(x: number): number =>\n  x * two; /* done */\n",
    ),
    base,
  );
  // an imported module's comment: still the same; its behaviour: different
  assertEquals(
    await write(
      'import { two } from "./b.ts";\nexport const f = (x: number) => x * two;\n',
      "// two\nexport const two = 2;\n",
    ),
    base,
  );
  const changed = await write(
    'import { two } from "./b.ts";\nexport const f = (x: number) => x * two;\n',
    "export const two = 3;\n",
  );
  if (changed === base) throw new Error("a changed constant in an imported module kept the hash");
  // a module outside the closure is not part of it
  assertEquals((await moduleClosure([a])).map((f) => f.split("/").pop()), ["a.ts", "b.ts"]);
});

Deno.test("the training code's closure holds the engine, not the charts or chapters", async () => {
  const lib = (p: string) => join(PROJECT_ROOT, "lib", p);
  const files = (await moduleClosure(
    [lib("experiments/arm.ts")],
    [lib("progress.ts"), lib("results.ts"), lib("models/card.ts")],
  )).map((f) => f.slice(PROJECT_ROOT.length + 1));
  for (const needed of ["lib/train/loop.ts", "lib/models/_densenet.ts", "lib/data/augment.ts"]) {
    if (!files.includes(needed)) throw new Error(`${needed} missing from the closure`);
  }
  for (
    const outside of [
      "lib/viz/figures.ts",
      "lib/report/summary.ts",
      "lib/projection/som.ts",
      "lib/models/card.ts",
    ]
  ) {
    if (files.includes(outside)) throw new Error(`${outside} should not decide a training run`);
  }
});

Deno.test("code hash: a JSON import is part of the closure, hashed as it is", async () => {
  await using dir = await tempDir();
  const a = join(dir.path, "a.ts"), pins = join(dir.path, "pins.json");
  await Deno.writeTextFile(
    a,
    'import p from "./pins.json" with { type: "json" };\nexport const x = p;\n',
  );
  await Deno.writeTextFile(pins, '{ "a": 1 }\n');
  const files = await moduleClosure([a]);
  assertEquals(files.map((f) => f.split("/").pop()), ["a.ts", "pins.json"]);
  const before = await codeHash(dir.path, files);
  await Deno.writeTextFile(pins, '{ "a": 2 }\n');
  if ((await codeHash(dir.path, files)) === before) throw new Error("a changed pin kept the hash");
});
