/**
 * `deno task predict <model folder> <image files or folders…> [--format csv|json] [--out FILE]`:
 * score JPEG and PNG images with a trained model, as its card says (side, preprocessing,
 * threshold). Writes CSV (default) or JSON to stdout or `--out`: one row per image with the
 * score of each class and the classes at or above their threshold. Files that are not readable
 * images are reported on stderr as skips; the exit status is 0 unless nothing could be scored.
 *
 * Trained models are in `weights/<profile>/<run>/best/` (whole networks) and
 * `weights/<profile>/covid-frozen-<arch>-<start>/` (frozen backbone with head), each with its
 * `card.json`.
 * @module
 */
import { parseArgs } from "node:util";
import { extname, join, resolve } from "node:path";
import { initBackend } from "../backend/mod.ts";
import { classify, loadClassifier, thresholds } from "./classify.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    format: { type: "string", default: "csv" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help || positionals.length < 2 || !["csv", "json"].includes(values.format!)) {
  console.error(
    "usage: deno task predict <model folder> <image files or folders…> [--format csv|json] " +
      "[--out FILE]",
  );
  Deno.exit(values.help ? 0 : 2);
}

try {
  await initBackend();
  const classifier = await loadClassifier(resolve(positionals[0]));
  const files = await expand(positionals.slice(1).map((p) => resolve(p)));
  const { results, skipped } = await classify(classifier, files);
  for (const s of skipped) console.error(`skipped ${s.file}: ${s.reason}`);
  const { classes } = classifier.card;
  const text = values.format === "json"
    ? JSON.stringify(
      {
        model: classifier.dir,
        classes,
        thresholds: thresholds(classifier.card),
        results,
        skipped,
      },
      null,
      2,
    )
    : [
      ["file", ...classes.map((c) => `score ${c}`), "positive"].map(csvCell).join(","),
      ...results.map((r) =>
        [r.file, ...classes.map((c) => r.scores[c].toFixed(6)), r.positive.join("|")]
          .map(csvCell).join(",")
      ),
    ].join("\n");
  if (values.out) await Deno.writeTextFile(values.out, text + "\n");
  else console.log(text);
  console.error(`${results.length} scored, ${skipped.length} skipped`);
  if (!results.length) Deno.exit(1);
  Deno.exit(0);
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
}

// Folders become the image-like files in them (by extension; content is checked when decoded).
async function expand(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isDirectory) {
      const names = [];
      for await (const e of Deno.readDir(path)) if (e.isFile) names.push(e.name);
      out.push(...names.sort().filter((n) => extname(n) !== "").map((n) => join(path, n)));
    } else out.push(path); // a missing file is reported as a skip by classify
  }
  return out;
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
