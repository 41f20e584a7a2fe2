/**
 * Results the notebooks measured, read from `results/<profile>/*.json` (profile:
 * `XRAY_PROFILE`, default quick). A notebook that has a headline number writes it as
 * `headline: [{ id, value, ci?: [lo, hi], scale }]`; the home page matches `id` with the
 * study's rows in `study.ts`. Nothing on the site is typed in by hand.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import { PROJECT_ROOT } from "./chapters.ts";

/** One headline number of ours. */
export interface Headline {
  readonly id: string;
  readonly value: number;
  readonly ci?: [number, number];
  /** The scale it was measured at, e.g. "531 images, 128 px, 5 epochs, 3 seeds". */
  readonly scale: string;
  /** Why the number cannot carry the comparison it is part of (e.g. a failed gate). */
  readonly note?: string;
}

/** A chapter's generated conclusions (the notebook shows the same text). */
export interface Summary {
  readonly found: readonly string[];
  readonly cannotSay: readonly string[];
}

/** Results files in chapter order, for the home page's conclusions. */
export const CHAPTER_RESULTS = [
  { file: "data", slug: "01-data", title: "The data" },
  { file: "chestxray14", slug: "02-chestxray14", title: "Learning ChestX-ray14" },
  { file: "covid-transfer", slug: "03-covid-transfer", title: "Transfer to COVID-19" },
  { file: "cam", slug: "04-cam", title: "Where the networks look" },
  { file: "latent-maps", slug: "05-latent-maps", title: "Maps of the latent space" },
  { file: "fifteen-classes", slug: "06-fifteen-classes", title: "Fifteen classes" },
  { file: "shortcuts", slug: "07-shortcuts", title: "Is it COVID-19, or the hospital?" },
] as const;

/** Each chapter's summary that its results file holds, in chapter order. */
export function summaries(
  results: Record<string, Record<string, unknown>>,
): { slug: string; title: string; summary: Summary }[] {
  return CHAPTER_RESULTS.flatMap(({ file, slug, title }) => {
    const summary = results[file]?.summary as Summary | undefined;
    return summary ? [{ slug, title, summary }] : [];
  });
}

/** The profile whose results the site shows. */
export function siteProfile(): string {
  return process.env.XRAY_PROFILE || "quick";
}

/** All results files of the profile, by name (file name without .json). */
export function loadResults(profile = siteProfile()): Record<string, Record<string, unknown>> {
  const dir = join(PROJECT_ROOT, "results", profile);
  if (!existsSync(dir)) return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    out[file.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(dir, file), "utf8"));
  }
  return out;
}

/** Every headline entry across the results files, by id. */
export function headlines(
  results: Record<string, Record<string, unknown>>,
  profile = siteProfile(),
): Map<string, Headline> {
  const map = new Map<string, Headline>();
  for (const [name, data] of Object.entries(results)) {
    // a file of another profile (a bench's copy) must never stand in for a chapter's numbers
    const run = data.run as { profile?: { name?: string } } | undefined;
    if (run?.profile?.name !== undefined && run.profile.name !== profile) {
      throw new Error(
        `results/${profile}/${name}.json holds results of profile "${run.profile.name}": ` +
          "move it out of the folder (the home page would show its numbers)",
      );
    }
    for (const h of (data.headline as Headline[] | undefined) ?? []) {
      if (map.has(h.id)) {
        throw new Error(`results/${profile}: headline "${h.id}" comes from two files`);
      }
      map.set(h.id, h);
    }
  }
  return map;
}
