/**
 * Where the external-validation collections come from — COVID-19 chest X-rays from hospitals
 * the training collection does not hold — and the plan items that fetch them: Figure1 and
 * Actualmed (both collected for COVID-Net), each pinned at a commit, every upstream file pinned
 * by its git blob id. They land in `<data root>/external/figure1/` and `…/actualmed/` in the
 * upstream layout (metadata.csv, README.md with the terms, images/), as in the development copy,
 * so one loader reads either. A copy whose images were re-encoded, or that lacks some, is used
 * as it is (see fetch.ts). The loader (labels, skips, duplicates) is not here.
 * @module
 */
import { join } from "node:path";
import type { Profile, ProfileName } from "../../config.ts";
import { type Pins, type PlanItem, resolveSource, type SourceSettings } from "../fetch.ts";
import figure1Pins from "./pins/figure1.json" with { type: "json" };
import actualmedPins from "./pins/actualmed.json" with { type: "json" };

/** The need (`deno task data external`) and the folder under the data root. */
export const EXTERNAL_KEY = "external";

/** One external collection: its repository, pinned commit, folder and pins. */
export interface ExternalSource {
  /** Source name for settings (`baseUrls`, `pins`) and the folder under `external/`. */
  readonly key: "figure1" | "actualmed";
  readonly title: string;
  readonly repository: string;
  readonly commit: string;
  /** Environment variable of a mirror's base URL. */
  readonly envVar: string;
  /** Every upstream file at the commit, by git blob id (and size where known). */
  readonly pins: Pins;
}

/** Figure1's COVID-19 chest X-rays (55 images). */
export const FIGURE1: ExternalSource = {
  key: "figure1",
  title: "Figure1 COVID-19 chest X-rays (external validation)",
  repository: "agchung/Figure1-COVID-chestxray-dataset",
  commit: figure1Pins.commit,
  envVar: "XRAY_FIGURE1_BASE_URL",
  pins: figure1Pins.files,
};

/** Actualmed's COVID-19 chest X-rays (238 images). */
export const ACTUALMED: ExternalSource = {
  key: "actualmed",
  title: "Actualmed COVID-19 chest X-rays (external validation)",
  repository: "agchung/Actualmed-COVID-chestxray-dataset",
  commit: actualmedPins.commit,
  envVar: "XRAY_ACTUALMED_BASE_URL",
  pins: actualmedPins.files,
};

/** Both collections, in plan order. */
const EXTERNAL_SOURCES: readonly ExternalSource[] = [FIGURE1, ACTUALMED];

/**
 * Which upstream images a profile fetches. Most Actualmed images are RGB PNGs of 4 MiB or more
 * (their sizes are not pinned; about 1 GiB together): `smoke` takes the images whose pinned
 * size is under 4 MiB (the 54 the development copy holds, 187 MiB), `quick` and `paper` all.
 */
const EXTERNAL_IMAGES: Readonly<Record<ProfileName, "under-4-MiB" | "all">> = {
  smoke: "under-4-MiB",
  quick: "all",
  paper: "all",
};

const FOUR_MIB = 4 * 1024 * 1024;

/** The folder of a collection under the data root. */
export function externalDir(root: string, source: ExternalSource): string {
  return join(root, EXTERNAL_KEY, source.key);
}

/**
 * What a profile fetches of one collection: metadata.csv (required: without it nothing of the
 * collection can be read), README.md (the terms) and the profile's images, each with its pin.
 */
function externalPlanItem(
  root: string,
  settings: SourceSettings,
  profile: Profile,
  source: ExternalSource,
): PlanItem {
  const dir = externalDir(root, source);
  const pins = settings.pins?.[source.key] ?? source.pins;
  const { base, source: from } = resolveSource(settings, source.key, source.envVar, {
    url: `https://raw.githubusercontent.com/${source.repository}/${source.commit}`,
    text: `github.com/${source.repository} @ ${source.commit.slice(0, 7)}`,
  });
  const images = EXTERNAL_IMAGES[profile.name];
  const wanted = ([path, pin]: [string, { bytes?: number }]) =>
    path === "metadata.csv" || path === "README.md" ||
    (path.startsWith("images/") &&
      (images === "all" || (pin.bytes !== undefined && pin.bytes < FOUR_MIB)));
  return {
    name: source.title,
    source: from,
    dir,
    files: Object.entries(pins).filter(wanted).map(([path, pin]) => ({
      url: `${base}/${path.split("/").map(encodeURIComponent).join("/")}`,
      dest: join(dir, path),
      pin,
      required: path === "metadata.csv",
    })),
  };
}

/** Plan items of both external collections at a profile. */
export function externalPlan(
  root: string,
  settings: SourceSettings,
  profile: Profile,
): PlanItem[] {
  return EXTERNAL_SOURCES.map((s) => externalPlanItem(root, settings, profile, s));
}
