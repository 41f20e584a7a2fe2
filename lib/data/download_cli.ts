/**
 * `deno task data [all|covid|nih|weights] [--profile P] [--root DIR] [--repair] [--plan]`:
 * fetch what a profile needs into the data root — the main job runs this before any notebook.
 * It prints the plan (what, from where, how many bytes, what is already there), then downloads
 * the missing files with progress, resume and checksums. Exit status 1, with one message that
 * names each missing item and the ways out, when something could not be fetched.
 *
 *   --profile P   smoke | quick | paper (XRAY_PROFILE; decides how many NIH archives)
 *   --root DIR    the data root (XRAY_DATA_DIR, default ./data)
 *   --repair      fetch again files that no longer match the checksum recorded at download
 *   --plan        print the plan and stop
 * Sources (environment): XRAY_COVID_BASE_URL, XRAY_NIH_LABELS_BASE_URL,
 * XRAY_NIH_LISTS_BASE_URL, XRAY_NIH_ARCHIVE_BASE_URL, XRAY_DENSENET121_BASE_URL,
 * XRAY_NPM_REGISTRY (see README).
 * @module
 */
import { parseArgs } from "node:util";
import { currentProfile, dataRoot } from "../config.ts";
import { type Need, profileNeeds } from "../experiments/requirements.ts";
import { blockedMessage, fatal, fetchItems, inspect, planLines } from "./fetch.ts";
import { COVID_KEY, NIH_KEY } from "./datasets/mod.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    profile: { type: "string" },
    root: { type: "string" },
    repair: { type: "boolean" },
    plan: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
const what = positionals[0] ?? "all";
const choices: Record<string, Need[] | undefined> = {
  all: undefined,
  covid: [COVID_KEY],
  nih: [NIH_KEY],
  weights: ["weights"],
};
if (values.help || !(what in choices)) {
  console.log(
    "usage: deno task data [all|covid|nih|weights] [--profile smoke|quick|paper] [--root DIR] " +
      "[--repair] [--plan]",
  );
  Deno.exit(values.help ? 0 : 2);
}

try {
  const profile = currentProfile(values.profile ?? Deno.env.get("XRAY_PROFILE"));
  const root = dataRoot(values.root);
  const items = profileNeeds(profile, root, {}, choices[what]);
  const states = await inspect(items);
  console.error(`Data root ${root}, profile ${profile.name}:`);
  console.error(planLines(states).join("\n"));
  if (values.plan) Deno.exit(0);
  const report = await fetchItems(states, { repair: values.repair });
  for (const c of report.corrupt) {
    console.error(
      `  ${c.repaired ? "repaired" : "does not match its recorded checksum"}: ${c.file}` +
        (c.repaired ? " (the old file is kept as .corrupt)" : " — run again with --repair"),
    );
  }
  for (const m of report.mismatched) console.error(`  checksum mismatch: ${m.problem}`);
  if (fatal(report)) {
    console.error(blockedMessage(report, `deno task data ${what} --profile ${profile.name}`));
    Deno.exit(1);
  }
  const skipped = report.failed.length + report.mismatched.length;
  if (skipped) {
    console.error(
      `${skipped} optional file(s) could not be fetched: the loaders report missing images, and ` +
        "chapter 4 maps only the images whose lung annotation is there.",
    );
  }
} catch (e) {
  // one line, no stack trace: the causes here are settings and disks, not bugs to debug
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
}
