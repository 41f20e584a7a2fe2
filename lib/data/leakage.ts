/**
 * No image or patient that trained a model may appear in any evaluation of it. Splits already
 * keep patients apart within one dataset; this guard covers what they cannot see: a backbone
 * trained in one chapter and evaluated in another (its features mapped, its outputs scored on a
 * new task), where the two image sets are chosen by different code.
 * @module
 */
import { patientKey, type XrayRecord } from "./record.ts";

/** Raised when evaluated records share images or patients with training records. */
export class LeakageError extends Error {
  constructor(
    readonly context: string,
    /** `source/imageId` of the shared images. */
    readonly images: readonly string[],
    /** `source/patientId` of the shared patients. */
    readonly patients: readonly string[],
  ) {
    const show = (ids: readonly string[]) =>
      ids.slice(0, 8).join(", ") + (ids.length > 8 ? `, … (${ids.length} in all)` : "");
    super(
      `${context}: ${images.length} image(s) and ${patients.length} patient(s) that trained the ` +
        `model are also evaluated` + (images.length ? `; images: ${show(images)}` : "") +
        (patients.length ? `; patients: ${show(patients)}` : ""),
    );
    this.name = "LeakageError";
  }
}

/** Throw {@link LeakageError} if `evaluated` shares any image or patient with `trainedOn`. */
export function assertNoLeakage(
  trainedOn: readonly XrayRecord[],
  evaluated: readonly XrayRecord[],
  context = "leakage check",
): void {
  const trainedImages = new Set(trainedOn.map(imageKey));
  const trainedPatients = new Set(trainedOn.map(patientKey));
  const images = [...new Set(evaluated.map(imageKey).filter((k) => trainedImages.has(k)))];
  const patients = [
    ...new Set(evaluated.map(patientKey).filter((k) => trainedPatients.has(k))),
  ];
  if (images.length || patients.length) {
    throw new LeakageError(context, images.sort(), patients.sort());
  }
}

/** The records whose patient trained no model in `trainedOn` (and so may evaluate it). */
export function excludeTrainingPatients<R extends XrayRecord>(
  records: readonly R[],
  trainedOn: readonly XrayRecord[],
): R[] {
  const trained = new Set(trainedOn.map(patientKey));
  return records.filter((r) => !trained.has(patientKey(r)));
}

function imageKey(r: XrayRecord): string {
  return `${r.source}/${r.imageId}`;
}
