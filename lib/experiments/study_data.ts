/**
 * The data each chapter works on, chosen the same way everywhere: ChestX-ray14 images stored at
 * least at the profile's side, split with the official test list; the COVID-19 collection's
 * labelled frontal X-rays with patients that share an image merged, in repeated patient splits.
 * @module
 */
import type { Profile } from "../config.ts";
import { loadCovid } from "../data/datasets/mod.ts";
import { covidSplit } from "../data/datasets/mod.ts";
import { type MergedGroup, mergeDuplicatePatients } from "../data/duplicates.ts";
import { loadNih } from "../data/datasets/mod.ts";
import { nihSplit } from "../data/datasets/mod.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { keepStoredAtLeast } from "../data/resolution.ts";
import type { Splits } from "../data/splits.ts";
import { limitByPatient } from "../data/record.ts";

/** ChestX-ray14 as the chapters use it. */
export interface NihStudyData {
  /** Records stored at ≥ the profile's side (within the profile's image budget). */
  readonly records: NihRecord[];
  /** Train/validation from the official train_val list (by patient), test = official test. */
  readonly split: Splits<NihRecord>;
  /** Images on disk left out because they are stored smaller than the side. */
  readonly smaller: number;
  /** The scale in words, for captions. */
  readonly scale: string;
}

/** Load, filter and split ChestX-ray14 for a profile. */
export async function nihStudyData(profile: Profile): Promise<NihStudyData> {
  const nih = await loadNih();
  const { kept, smaller } = await keepStoredAtLeast(nih.records, profile.imageSide);
  const records = limitByPatient(kept, profile.maxNihImages, 1, (r) => r.officialSplit);
  const split = nihSplit(records, { seed: 1 });
  const patients = new Set(records.map((r) => r.patientId)).size;
  const scale = `${records.length} ChestX-ray14 images of ${patients} patients stored at ≥ ` +
    `${profile.imageSide} px (${split.train.length}/${split.val.length}/${split.test.length} ` +
    `train/validation/test), used at ${profile.imageSide} px`;
  return { records, split, smaller: smaller.length, scale };
}

/** The COVID-19 collection as the chapters use it. */
export interface CovidStudyData {
  /** Labelled frontal X-rays, patients sharing an image merged (within the image budget). */
  readonly records: CovidRecord[];
  /** Patients merged because they share an image. */
  readonly merged: readonly MergedGroup[];
  /** Pairs of copies found (within and across patients). */
  readonly copies: { readonly acrossPatients: number; readonly withinPatient: number };
  /** One patient-level split per seed 0…splits−1; split 0 is the primary one. */
  readonly splits: Splits<CovidRecord>[];
  readonly scale: string;
}

/** Load, de-duplicate and split the COVID-19 collection for a profile. */
export async function covidStudyData(profile: Profile): Promise<CovidStudyData> {
  const covid = await loadCovid();
  const merged = await mergeDuplicatePatients(covid.records);
  const records = limitByPatient(
    merged.records,
    profile.maxCovidImages,
    1,
    (r) => (r.covid ? "covid" : "other"),
  );
  const splits = Array.from({ length: profile.splits }, (_, seed) => covidSplit(records, seed));
  const across = merged.pairs.filter((p) => p.a.patientId !== p.b.patientId).length;
  const patients = new Set(records.map((r) => r.patientId)).size;
  const positives = records.filter((r) => r.covid).length;
  const scale = `${records.length} COVID-19 collection images of ${patients} patients ` +
    `(${positives} COVID-19, ${records.length - positives} other), split by patient ` +
    `(test ≈ ${splits[0].test.length} images), ${profile.imageSide} px`;
  return {
    records,
    merged: merged.groups,
    copies: { acrossPatients: across, withinPatient: merged.pairs.length - across },
    splits,
    scale,
  };
}
