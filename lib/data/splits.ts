/**
 * Patient-level splits: all images of one patient land in the same split, so a model is never
 * tested on a patient it has seen. Stratified by a per-patient class and seeded.
 * @module
 */
import { Rng } from "../rng.ts";
import { patientKey, type XrayRecord } from "./record.ts";

/** Fractions of images per split; they must sum to 1. */
export interface SplitFractions {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

/** Records per split. */
export interface Splits<R> {
  readonly train: R[];
  readonly val: R[];
  readonly test: R[];
}

/** Options for {@link patientSplit}. */
export interface PatientSplitOptions<R> {
  readonly fractions: SplitFractions;
  readonly seed: number;
  /**
   * The class a patient is stratified by, from all of the patient's records (e.g. "COVID-19" if
   * any image is COVID-19). Default: one stratum.
   */
  readonly stratum?: (patientRecords: readonly R[]) => string;
}

/**
 * Split records by patient. Within each stratum patients are shuffled with the seed and dealt
 * to the split whose image count is furthest below its target, so image shares track the
 * fractions even when patients have many images.
 */
export function patientSplit<R extends XrayRecord>(
  records: readonly R[],
  options: PatientSplitOptions<R>,
): Splits<R> {
  const { fractions } = options;
  const total = fractions.train + fractions.val + fractions.test;
  if (Math.abs(total - 1) > 1e-9 || Object.values(fractions).some((f) => f < 0)) {
    throw new Error(`split fractions must be ≥ 0 and sum to 1, got ${JSON.stringify(fractions)}`);
  }
  const stratumOf = options.stratum ?? (() => "all");
  const byStratum = new Map<string, R[][]>();
  for (const patient of groupByPatient(records).values()) {
    const s = stratumOf(patient);
    // appended in place: copying the list per patient made this quadratic (3.4 s at 112,120)
    const patients = byStratum.get(s);
    if (patients) patients.push(patient);
    else byStratum.set(s, [patient]);
  }
  const out: Splits<R> = { train: [], val: [], test: [] };
  const names = ["train", "val", "test"] as const;
  const rng = new Rng(options.seed);
  for (const stratum of [...byStratum.keys()].sort()) {
    const patients = rng.shuffle(byStratum.get(stratum)!);
    const images = patients.reduce((n, p) => n + p.length, 0);
    const taken = { train: 0, val: 0, test: 0 };
    for (const patient of patients) {
      // deficit relative to target; ties go to the larger split
      const name = names.reduce((best, n) =>
        fractions[n] * images - taken[n] > fractions[best] * images - taken[best] ? n : best
      );
      taken[name] += patient.length;
      out[name].push(...patient);
    }
  }
  assertPatientsDisjoint(out);
  return out;
}

/** Group records by source and patient, keeping first-seen order. */
export function groupByPatient<R extends XrayRecord>(records: readonly R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of records) {
    const key = patientKey(r);
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

/** Throw if any patient has images in two splits. */
export function assertPatientsDisjoint(
  splits: { readonly [name: string]: readonly XrayRecord[] } | Splits<XrayRecord>,
): void {
  const owner = new Map<string, string>();
  for (const [name, records] of Object.entries(splits) as [string, readonly XrayRecord[]][]) {
    for (const r of records) {
      const key = patientKey(r);
      const seen = owner.get(key);
      if (seen !== undefined && seen !== name) {
        throw new Error(`patient ${key} appears in both the ${seen} and ${name} splits`);
      }
      owner.set(key, name);
    }
  }
}
