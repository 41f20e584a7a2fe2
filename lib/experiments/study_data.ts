/**
 * The data each chapter works on, chosen the same way everywhere: ChestX-ray14 images stored at
 * least at the profile's side, split with the official test list; the COVID-19 collection's
 * labelled frontal X-rays with patients that share an image merged, in patient K-fold
 * cross-validation.
 * @module
 */
import type { Profile } from "../config.ts";
import { loadCovid } from "../data/datasets/mod.ts";
import { crossValidationFolds, type Fold } from "../data/folds.ts";
import { type MergedGroup, mergeDuplicatePatients } from "../data/duplicates.ts";
import { loadNih } from "../data/datasets/mod.ts";
import type { CovidRecord, NihRecord } from "../data/datasets/mod.ts";
import { keepStoredAtLeast } from "../data/resolution.ts";
import { assertPatientsDisjoint, patientSplit, type Splits } from "../data/splits.ts";
import { limitByPatient } from "../data/record.ts";

/**
 * ChestX-ray14's parts: train, validation (picks the epoch and lowers the learning rate),
 * gate (other patients of the train_val list: judge the picked model, see `gate.ts`) and test
 * (the official test list, untouched until the end).
 */
export interface NihSplit extends Splits<NihRecord> {
  readonly gate: NihRecord[];
}

/** ChestX-ray14 as the chapters use it. */
export interface NihStudyData {
  /** Records stored at ≥ the profile's side (within the profile's image budget). */
  readonly records: NihRecord[];
  /** By patient from the official train_val list: train 70%, validation 15%, gate 15%. */
  readonly split: NihSplit;
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
  const split = nihParts(records);
  const patients = new Set(records.map((r) => r.patientId)).size;
  const scale = `${records.length} ChestX-ray14 images of ${patients} patients stored at ≥ ` +
    `${profile.imageSide} px (${split.train.length}/${split.val.length}/${split.gate.length}/` +
    `${split.test.length} train/validation/gate/test), used at ${profile.imageSide} px`;
  return { records, split, smaller: smaller.length, scale };
}

// The official test list stays the test set; train_val is cut by patient, stratified on "any
// finding", into train, validation and the gate's own patients.
function nihParts(records: readonly NihRecord[]): NihSplit {
  const trainVal = records.filter((r) => r.officialSplit === "train_val");
  const cut = patientSplit(trainVal, {
    fractions: { train: 0.7, val: 0.15, test: 0.15 },
    seed: 1,
    stratum: (images) => (images.some((r) => r.findings.length > 0) ? "finding" : "no-finding"),
  });
  const split = {
    train: cut.train,
    val: cut.val,
    gate: cut.test,
    test: records.filter((r) => r.officialSplit === "test"),
  };
  assertPatientsDisjoint(split);
  return split;
}

/** The COVID-19 collection as the chapters use it. */
export interface CovidStudyData {
  /** Labelled frontal X-rays, patients sharing an image merged (within the image budget). */
  readonly records: CovidRecord[];
  /** Patients merged because they share an image. */
  readonly merged: readonly MergedGroup[];
  /** Pairs of copies found (within and across patients). */
  readonly copies: { readonly acrossPatients: number; readonly withinPatient: number };
  /** Patient K-fold cross-validation, stratified by COVID-19: every patient tested once. */
  readonly folds: Fold<CovidRecord>[];
  readonly scale: string;
}

/** Stratum of a patient for the COVID-19 task: whether any of their images is COVID-19. */
export const covidStratum = (images: readonly CovidRecord[]): string =>
  images.some((r) => r.covid) ? "COVID-19" : "other";

/** Load, de-duplicate and fold the COVID-19 collection for a profile. */
export async function covidStudyData(profile: Profile): Promise<CovidStudyData> {
  const covid = await loadCovid();
  const merged = await mergeDuplicatePatients(covid.records);
  const records = limitByPatient(
    merged.records,
    profile.maxCovidImages,
    1,
    (r) => (r.covid ? "covid" : "other"),
  );
  const folds = crossValidationFolds(records, {
    k: profile.folds,
    seed: 0,
    stratum: covidStratum,
  });
  const across = merged.pairs.filter((p) => p.a.patientId !== p.b.patientId).length;
  const patients = new Set(records.map((r) => r.patientId)).size;
  const positives = records.filter((r) => r.covid).length;
  const scale = `${records.length} COVID-19 collection images of ${patients} patients ` +
    `(${positives} COVID-19, ${records.length - positives} other), ${profile.folds}-fold ` +
    `cross-validation by patient (each fold tests ≈ ${folds[0].test.length} images), ` +
    `${profile.imageSide} px`;
  return {
    records,
    merged: merged.groups,
    copies: { acrossPatients: across, withinPatient: merged.pairs.length - across },
    folds,
    scale,
  };
}

/**
 * The study's split, for measuring what it inflates: the same K folds dealt by image, so one
 * patient's films can sit on both sides of a fold.
 */
export function imageLevelFolds(
  records: readonly CovidRecord[],
  profile: Profile,
): Fold<CovidRecord>[] {
  return crossValidationFolds(records, {
    k: profile.folds,
    seed: 0,
    unit: "image",
    stratum: (images) => (images[0].covid ? "COVID-19" : "other"),
  });
}
