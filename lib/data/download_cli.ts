/**
 * `deno task data [all|covid|nih|weights|external] [--profile P] [--root DIR] [--repair] [--plan]`:
 * fetch what a profile needs into the data root — the main job runs this before any notebook.
 * It prints the plan (what, from where, how many bytes, what is already there, what an earlier
 * run left unfinished), checks what is there, then downloads the missing files with progress,
 * resume and checksums. Exit status 1, with one message that names each file in the way and
 * the command that fixes it, when a required file is missing or fails its check, or when a file
 * already there fails its check; optional files that could not be had are listed, exit 0.
 *
 *   --profile P   smoke | quick | paper (XRAY_PROFILE; decides how many NIH archives)
 *   --root DIR    the data root (XRAY_DATA_DIR, default ./data)
 *   --repair      set aside and fetch again what fails its check or an earlier run left
 *                 unverified
 *   --plan        print the plan and stop
 * Sources (environment): XRAY_COVID_BASE_URL, XRAY_NIH_LABELS_BASE_URL,
 * XRAY_NIH_LISTS_BASE_URL, XRAY_NIH_ARCHIVE_BASE_URL, XRAY_DENSENET121_BASE_URL,
 * XRAY_FIGURE1_BASE_URL, XRAY_ACTUALMED_BASE_URL, XRAY_NPM_REGISTRY (see README).
 * XRAY_COMMAND: the command fixes should name (the main job sets it).
 * @module
 */
import { parseArgs } from "node:util";
import { currentProfile, dataRoot, env } from "../config.ts";
import { type Need, profileNeeds } from "./requirements.ts";
import { runDataStep } from "./data_step.ts";
import { COVID_KEY, NIH_KEY } from "./datasets/mod.ts";
import { EXTERNAL_KEY } from "./datasets/external.ts";

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
  external: [EXTERNAL_KEY],
};
if (values.help || !(what in choices)) {
  console.log(
    "usage: deno task data [all|covid|nih|weights|external] [--profile smoke|quick|paper] " +
      "[--root DIR] " +
      "[--repair] [--plan]",
  );
  Deno.exit(values.help ? 0 : 2);
}

try {
  const profile = currentProfile(values.profile);
  const root = dataRoot(values.root);
  // the main job names itself, so that fixes name the command the user actually ran
  const command = env("XRAY_COMMAND") ??
    `deno task data ${what} --profile ${profile.name}`;
  Deno.exit(
    await runDataStep({
      header: `Data root ${root}, profile ${profile.name}:`,
      items: profileNeeds(profile, root, {}, choices[what]),
      command,
      repair: values.repair,
      planOnly: values.plan,
    }),
  );
} catch (e) {
  // one line, no stack trace: the causes here are settings and disks, not bugs to debug
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
}
