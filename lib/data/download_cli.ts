/**
 * `deno task data [covid|nih|all] [options]`: download the public datasets into the data root.
 *
 * Options (each also an environment variable):
 *   --root DIR                 data root (XRAY_DATA_DIR, default ./data)
 *   --covid-limit N            at most N COVID-19 images
 *   --covid-base-url URL       XRAY_COVID_BASE_URL (default: GitHub at the pinned commit)
 *   --nih-base-url URL         XRAY_NIH_BASE_URL: where the label CSV and split lists are
 *   --nih-archive-base-url URL XRAY_NIH_ARCHIVE_BASE_URL (default: NIH's Box links)
 *   --nih-archives N           XRAY_NIH_ARCHIVES: how many of the 12 image archives (default 1)
 *   --keep-archives            keep .tar.gz files after extraction
 * @module
 */
import { parseArgs } from "node:util";
import { dataRoot } from "../config.ts";
import { downloadCovid, downloadNih, downloadSettingsFromEnv } from "./sources.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    root: { type: "string" },
    "covid-limit": { type: "string" },
    "covid-base-url": { type: "string" },
    "nih-base-url": { type: "string" },
    "nih-archive-base-url": { type: "string" },
    "nih-archives": { type: "string" },
    "keep-archives": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const what = positionals[0] ?? "all";
if (values.help || !["covid", "nih", "all"].includes(what)) {
  console.log(
    "usage: deno task data [covid|nih|all] [--root DIR] [--covid-limit N] " +
      "[--nih-archives N] [--nih-base-url URL] [--nih-archive-base-url URL] [--keep-archives]",
  );
  Deno.exit(values.help ? 0 : 2);
}

const root = dataRoot(values.root);
const base = downloadSettingsFromEnv(root);
const settings = {
  ...base,
  covidBaseUrl: values["covid-base-url"] ?? base.covidBaseUrl,
  covidLimit: values["covid-limit"] ? Number(values["covid-limit"]) : undefined,
  nihBaseUrl: values["nih-base-url"] ?? base.nihBaseUrl,
  nihArchiveBaseUrl: values["nih-archive-base-url"] ?? base.nihArchiveBaseUrl,
  nihArchives: values["nih-archives"] ? Number(values["nih-archives"]) : base.nihArchives,
  keepArchives: values["keep-archives"],
};

console.error(`Data root: ${root}`);
let failed = 0;
try {
  for (const job of what === "all" ? ["covid", "nih"] : [what]) {
    const report = job === "covid" ? await downloadCovid(settings) : await downloadNih(settings);
    for (const f of report.failures) console.error(`  not fetched: ${f.dest} (${f.problem})`);
    failed += report.failures.length;
  }
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  Deno.exit(1);
}
if (failed > 0) {
  console.error(`${failed} file(s) could not be fetched; the loaders report them as missing.`);
}
