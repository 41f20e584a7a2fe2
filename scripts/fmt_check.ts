/**
 * `deno fmt --check` for the whole project. Notebooks are checked by formatting a copy and
 * comparing bytes: Deno 2.9's check mode calls every notebook with a multi-line cell unformatted
 * even when `deno fmt` would leave it byte for byte as it is (its formatter reports a change it
 * did not make, as in denoland/deno#25840). The incremental cache hides this on a machine that
 * formatted the files itself, so it shows only on a fresh clone.
 * @module
 */
import { join } from "node:path";
import { listNotebooks } from "../lib/notebook/execute.ts";

const root = join(import.meta.dirname!, "..");
const deno = Deno.execPath();

const otherFiles = await new Deno.Command(deno, {
  args: ["fmt", "--check", "--ignore=notebooks/"],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;

const notebooks = await listNotebooks(join(root, "notebooks"));
const unformatted: string[] = [];
for (const path of notebooks) {
  const text = await Deno.readFile(path);
  const child = new Deno.Command(deno, {
    args: ["fmt", "--ext=ipynb", "-"],
    cwd: root, // the project's deno.json (line width) applies
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(text);
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  if (!success) {
    console.error(`${path}: deno fmt could not read it:\n${new TextDecoder().decode(stderr)}`);
    unformatted.push(path);
  } else if (!equal(stdout, text)) unformatted.push(path);
}
if (unformatted.length) {
  console.error(`not formatted (run deno fmt notebooks/):\n  ${unformatted.join("\n  ")}`);
} else console.log(`Checked ${notebooks.length} notebooks`);
if (!otherFiles.success || unformatted.length) Deno.exit(1);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
