/**
 * Make the pins of an external-validation collection from its `upstream-manifest.csv` (path, git
 * blob SHA-1, size upstream, what the development copy holds): every file of the upstream tree at
 * the pinned commit, by git blob id, with its size where the manifest knows it.
 *
 *   deno run -A scripts/external_pins.ts <manifest.csv> <owner/repo> <commit> <out.json>
 *
 * The pins in lib/data/datasets/pins/ were made with:
 *   deno run -A scripts/external_pins.ts ../shared/data/external/figure1/upstream-manifest.csv \
 *     agchung/Figure1-COVID-chestxray-dataset 95bb569e55f4110d3b734c0f355340e04e16989a \
 *     lib/data/datasets/pins/figure1.json
 *   deno run -A scripts/external_pins.ts ../shared/data/external/actualmed/upstream-manifest.csv \
 *     agchung/Actualmed-COVID-chestxray-dataset 27240dd8dec9454bc97f9f3c0c432ef434de2517 \
 *     lib/data/datasets/pins/actualmed.json
 * @module
 */
import { readCsv } from "../lib/data/_csv.ts";

const [manifest, repository, commit, out] = Deno.args;
if (!manifest || !repository || !/^[0-9a-f]{40}$/.test(commit ?? "") || !out) {
  console.error(
    "usage: deno run -A scripts/external_pins.ts <manifest.csv> <owner/repo> <commit> <out.json>",
  );
  Deno.exit(2);
}
const table = await readCsv(manifest, {
  required: ["path", "git_blob_sha1", "bytes_upstream"],
  onMalformedRow: "error",
});
const files: Record<string, { gitBlob: string; bytes?: number }> = {};
for (const { line, values } of table.rows) {
  const blob = values.git_blob_sha1.trim();
  if (!/^[0-9a-f]{40}$/.test(blob)) {
    throw new Error(`${manifest}:${line}: "${blob}" is not a git blob id`);
  }
  // the manifest's tool could not read the size of files of 4 MiB or more ("BAD"): the blob
  // id pins their content all the same, and the server reports their size
  const bytes = /^\d+$/.test(values.bytes_upstream.trim())
    ? Number(values.bytes_upstream)
    : undefined;
  files[values.path] = bytes === undefined ? { gitBlob: blob } : { gitBlob: blob, bytes };
}
const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      source: `github.com/${repository}`,
      commit,
      note: "Every file of the upstream tree at the commit, by git blob id (SHA-1 of " +
        "'blob <size>\\0' + content), with its size where known; made by " +
        "scripts/external_pins.ts from the collection's upstream-manifest.csv.",
      files: sorted,
    },
    null,
    2,
  ) + "\n",
);
console.error(`${out}: ${Object.keys(sorted).length} files pinned`);
