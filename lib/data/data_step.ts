/**
 * The main job's data step as one function: print the plan, check and fetch, then either stop —
 * naming every file that blocks the run and the command that fixes it — or go on, listing the
 * optional files that could not be had in one compact summary. `deno task data` runs it; tests
 * run it in a subprocess they can kill.
 * @module
 */
import { relative } from "node:path";
import { formatBytes } from "../format.ts";
import {
  fatal,
  fetchItems,
  type FetchOptions,
  type FetchReport,
  inspect,
  type PlanItem,
  planLines,
} from "./fetch.ts";

/** Options for {@link runDataStep}. */
export interface DataStepOptions {
  /** First line of the plan ("Data root …, profile …:"). */
  readonly header: string;
  readonly items: readonly PlanItem[];
  /** The command the user ran, as fixes should name it ("bash scripts/main.sh quick"). */
  readonly command: string;
  readonly repair?: boolean;
  /** Print the plan and stop. */
  readonly planOnly?: boolean;
  readonly fetchOptions?: Omit<FetchOptions, "repair">;
  /** Where lines go (default: stderr). */
  readonly log?: (line: string) => void;
}

/** Run the data step; returns the exit status (0: the run may go on; 1: it must not). */
export async function runDataStep(options: DataStepOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.error(line));
  const states = await inspect(options.items);
  log(options.header);
  log(planLines(states, { repair: options.repair }).join("\n"));
  if (options.planOnly) return 0;
  const report = await fetchItems(states, { ...options.fetchOptions, repair: options.repair });
  for (const line of doneLines(report)) log(line);
  const optional = optionalSummary(report);
  if (optional) log(optional);
  if (fatal(report)) {
    log(stopMessage(report, options.command));
    return 1;
  }
  return 0;
}

/** What the fetch did, briefly. */
function doneLines(report: FetchReport): string[] {
  const lines: string[] = [];
  if (report.fetched.length) {
    const bytes = report.fetched.reduce((a, r) => a + r.bytes, 0);
    const resumed = report.fetched.filter((r) => r.status === "resumed").length;
    lines.push(
      `Fetched ${report.fetched.length} file(s), ${formatBytes(bytes)}, each checked before it ` +
        `took its name${resumed ? ` (${resumed} resumed)` : ""}.`,
    );
  }
  for (const e of report.extracted) {
    lines.push(`Extracted ${e.item.name}: ${e.images} images, each recorded in its stamp.`);
  }
  if (report.adopted) {
    lines.push(
      `Checked and recorded ${report.adopted} file(s) that were present without a recorded ` +
        "checksum.",
    );
  }
  for (const c of report.corrupt.filter((c) => c.repaired)) {
    const back = exists(c.file);
    lines.push(
      `${back ? "Repaired" : "Set aside, not yet fetched again"}: ${c.file} (it ${c.problem})` +
        (back ? "; fetched again and checked." : "."),
    );
  }
  if (report.setAside.length) {
    const shown = report.setAside.slice(0, 10).map((a) => `  ${a.file} → ${a.keptAt}`);
    lines.push(
      `Set aside (kept, never overwritten; delete them once not needed):`,
      ...shown,
      ...(report.setAside.length > 10 ? [`  … and ${report.setAside.length - 10} more`] : []),
    );
  }
  return lines;
}

/**
 * Why the run stops: each blocking file or item with its problem, and for each kind of problem
 * the command that fixes it.
 */
function stopMessage(report: FetchReport, command: string): string {
  const out = ["Stopped: the data root is not ready, so nothing that would read it runs."];
  const unrepaired = report.corrupt.filter((c) => !c.repaired);
  if (unrepaired.length || report.blocked.length) {
    out.push("  Files already in the data root that failed their check:");
    for (const c of unrepaired) {
      out.push(`    - ${c.file}${c.required ? " (required)" : ""}: ${c.problem}`);
    }
    for (const b of report.blocked) out.push(`    - ${b.item.name}: ${b.problem}`);
    out.push(
      `  Fix: run \`${command} --repair\`: it sets each of them aside under set-aside/ in its ` +
        "folder (nothing is deleted) and fetches it again.",
    );
  }
  const badDownloads = report.mismatched.filter((m) => m.required);
  if (badDownloads.length) {
    out.push("  Required downloads that failed their check (the source sent other bytes):");
    for (const m of badDownloads) {
      out.push(
        `    - ${m.file}: ${m.problem}${m.keptAt ? `; kept aside at ${m.keptAt}` : ""}` +
          `\n      from ${m.item.source}`,
      );
    }
    out.push(
      `  Fix: run \`${command}\` again: it fetches them afresh. If they fail again, that source ` +
        "(or the mirror a base-URL setting points at) serves wrong bytes: see README, Data.",
    );
  }
  if (report.failed.some((f) => f.file.required)) out.push(blockedMessage(report, command));
  return out.join("\n");
}

/**
 * One message for what could not be fetched: each item with its source and first error, and
 * the two ways out.
 */
export function blockedMessage(report: FetchReport, command: string): string {
  const byItem = new Map<PlanItem, { count: number; problem: string }>();
  for (const f of report.failed) {
    const e = byItem.get(f.item) ?? { count: 0, problem: f.problem };
    byItem.set(f.item, { ...e, count: e.count + 1 });
  }
  const lines = [...byItem].map(([item, { count, problem }]) =>
    `    - ${item.name}: ${count} file(s) missing, from ${item.source}\n        first error: ${
      problem.split("\n")[0]
    }`
  );
  return [
    "  Could not fetch everything this run needs (offline, or a source is blocked):",
    ...lines,
    "  Two ways out:",
    "    1. Point XRAY_DATA_DIR at a data root that already holds these files (a copy from " +
    "another machine, or ../shared/data in this project's development setup).",
    `    2. Run \`${command}\` again where the sources are reachable: finished files are kept ` +
    "and partial ones resume.",
  ].join("\n");
}

/**
 * Every optional file that could not be had, by item and reason, named — in one block, or
 * undefined when there is none.
 */
export function optionalSummary(report: FetchReport): string | undefined {
  const groups = new Map<PlanItem, Map<string, string[]>>();
  const add = (item: PlanItem, reason: string, file: string) => {
    const byReason = groups.get(item) ?? new Map<string, string[]>();
    groups.set(item, byReason);
    const names = byReason.get(reason) ?? [];
    byReason.set(reason, names);
    names.push(item.dir ? relative(item.dir, file) : file);
  };
  let count = 0;
  for (const f of report.failed) {
    if (f.file.required) continue;
    add(f.item, shortReason(f.problem, f.file.url), f.file.dest);
    count++;
  }
  for (const m of report.mismatched) {
    if (m.required) continue;
    add(m.item, "did not match its pin (the bytes are kept under set-aside/)", m.file);
    count++;
  }
  if (!count) return undefined;
  const lines = [
    `${count} optional file(s) could not be fetched; nothing needs them to run (the loaders ` +
    "report each as missing):",
  ];
  for (const [item, byReason] of groups) {
    lines.push(`  ${item.name}:`);
    for (const [reason, names] of byReason) {
      lines.push(...wrap(`    ${reason} (${names.length}): `, names.sort(), 100));
    }
  }
  return lines.join("\n");
}

// "http://…/a.jpg: HTTP 404 Not Found" → "HTTP 404 Not Found"
function shortReason(problem: string, url: string): string {
  const text = problem.startsWith(`${url}: `) ? problem.slice(url.length + 2) : problem;
  return text.split("\n")[0].replace(/\s*\(.*$/, "").slice(0, 80);
}

// A list of names after a lead, wrapped at `width` columns, continuation lines indented.
function wrap(lead: string, names: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = lead;
  for (const [i, name] of names.entries()) {
    const piece = name + (i < names.length - 1 ? "," : "");
    if (line.length + piece.length + 1 > width && line.trim() !== lead.trim()) {
      lines.push(line.trimEnd());
      line = "      ";
    }
    line += (line.endsWith(" ") ? "" : " ") + piece;
  }
  lines.push(line.trimEnd());
  return lines;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
