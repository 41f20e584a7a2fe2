/**
 * What a profile needs before any notebook runs: every registered dataset's plan (for
 * ChestX-ray14, as many image archives as the profile calls for), the ImageNet weights of
 * both models, and the external-validation collections.
 * @module
 */
import type { Profile } from "../config.ts";
import { datasets } from "./datasets/mod.ts";
import type { PlanItem, SourceSettings } from "./fetch.ts";
import { imagenetPlan } from "./imagenet_weights.ts";
import { EXTERNAL_KEY, externalPlan } from "./datasets/external.ts";

/** The parts of a data root a user can ask for: a dataset's key, or "weights". */
export type Need = string;

/** Plan items for a profile (all needs, or those asked for), in download order. */
export function profileNeeds(
  profile: Profile,
  root: string,
  settings: SourceSettings,
  needs?: readonly Need[],
): PlanItem[] {
  const wanted = (key: string) => !needs || needs.includes(key);
  return [
    ...datasets().filter((d) => wanted(d.info.key) && d.plan)
      .flatMap((d) => d.plan!(root, settings, profile)),
    ...(wanted("weights") ? imagenetPlan(root, settings) : []),
    ...(wanted(EXTERNAL_KEY) ? externalPlan(root, settings, profile) : []),
  ];
}
