/**
 * Smaller runs without leakage: take whole patients, seeded, until a budget of images is met.
 * @module
 */
import { Rng } from "../rng.ts";
import type { XrayRecord } from "../data/records.ts";

/**
 * At most `max` images, taking whole patients in a seeded order, and keeping the share of
 * each stratum (e.g. COVID-19 vs other) close to the full set's.
 */
export function limitByPatient<R extends XrayRecord>(
  records: readonly R[],
  max: number,
  seed: number,
  stratum: (r: R) => string = () => "all",
): R[] {
  if (records.length <= max) return [...records];
  const byStratum = new Map<string, Map<string, R[]>>();
  for (const r of records) {
    const s = stratum(r);
    const patients = byStratum.get(s) ?? new Map<string, R[]>();
    patients.set(r.patientId, [...(patients.get(r.patientId) ?? []), r]);
    byStratum.set(s, patients);
  }
  const rng = new Rng(seed);
  const out: R[] = [];
  for (const [s, patients] of [...byStratum.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const share = records.filter((r) => stratum(r) === s).length / records.length;
    const budget = Math.max(1, Math.round(max * share));
    let taken = 0;
    for (const images of rng.shuffle([...patients.values()])) {
      if (taken >= budget) break;
      out.push(...images);
      taken += images.length;
    }
  }
  return out;
}
