/**
 * Which executed notebooks are the published ones, and where the others go: the `quick`
 * profile's executed notebooks are committed in notebooks/ and published; any other profile's
 * are written to `out/<profile>/notebooks/`, so a smoke or paper run never replaces them (the
 * site publishes either: `XRAY_NOTEBOOKS_DIR`).
 * @module
 */
import { join } from "node:path";
import { type ProfileName, PROJECT_ROOT } from "../config.ts";

/** The profile whose executed notebooks are committed in notebooks/ and published. */
export const PUBLISHED_PROFILE: ProfileName = "quick";

/** Where a profile's executed notebooks go unless told otherwise. */
export function defaultOutDir(profile: ProfileName, root: string = PROJECT_ROOT): string {
  return profile === PUBLISHED_PROFILE
    ? join(root, "notebooks")
    : join(root, "out", profile, "notebooks");
}
