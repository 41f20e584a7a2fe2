/**
 * What a dataset is to the rest of the library: a name and a folder, a loader that turns its
 * files into records (reporting every row it leaves out), a patient-level split, what to fetch
 * for it, and — where it has them — lung annotations. Adding a dataset is one file under
 * `datasets/` that exports one of these, plus its line in the registry.
 * @module
 */
import type { Profile } from "../config.ts";
import type { PlanItem, SourceSettings } from "./fetch.ts";
import type { LungMask } from "./lung_mask.ts";
import type { SkippedRow, XrayRecord } from "./record.ts";
import type { Splits } from "./splits.ts";

/** Where a dataset comes from and what it is called; used in plans and "missing" messages. */
export interface DatasetInfo {
  /** The key records carry as `source`. */
  readonly key: string;
  /** Folder name under the data root. */
  readonly folder: string;
  readonly title: string;
  readonly homepage: string;
  readonly licence: string;
}

/** What a loader returns: the records, and every row it left out with why. */
export interface LoadedDataset<R extends XrayRecord> {
  readonly records: R[];
  readonly skipped: SkippedRow[];
  /** Data rows read (including skipped ones). */
  readonly rows: number;
}

/** A dataset: how to load, split and fetch it. */
export interface XrayDataset<R extends XrayRecord = XrayRecord> {
  readonly info: DatasetInfo;
  /** Load the dataset from its folder. */
  load(dir: string): Promise<LoadedDataset<R>>;
  /** A seeded, patient-level split (the dataset's own rule, e.g. an official test list). */
  split(records: readonly R[], seed: number): Splits<R>;
  /** What a profile needs fetched into the data root (omitted: nothing can be fetched). */
  plan?(root: string, settings: SourceSettings, profile: Profile): PlanItem[];
  /** The lung mask of a record at a side, where the dataset annotates lungs. */
  lungMask?(record: R, side: number, dir: string): Promise<LungMask | undefined>;
}
