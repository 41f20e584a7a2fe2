/**
 * The study's reported numbers, to set beside ours (from its report, as summarised in the
 * project's STUDY notes). They are theirs, at their scale — not measurements of this project.
 * @module
 */
import { NIH_FINDINGS, type NihFinding } from "./data/record.ts";

const row = (values: number[]): Record<NihFinding, number> =>
  Object.fromEntries(NIH_FINDINGS.map((f, i) => [f, values[i]])) as Record<NihFinding, number>;

/** Test AUC per ChestX-ray14 finding: the study's DenseNet121 (ImageNet-pretrained). */
export const STUDY_NIH_DENSENET = row([
  .7705,
  .8823,
  .8291,
  .6992,
  .8172,
  .7536,
  .7194,
  .8602,
  .7507,
  .8467,
  .9157,
  .8150,
  .7804,
  .8996,
]);

/** CheXNet (Rajpurkar et al. 2017), as the study quotes it. */
export const CHEXNET_NIH = row([
  .8094,
  .9248,
  .8638,
  .7345,
  .8676,
  .7802,
  .7680,
  .8887,
  .7901,
  .8878,
  .9371,
  .8047,
  .8062,
  .9164,
]);

/** Mean AUCs the study reports for ChestX-ray14. */
export const STUDY_NIH_MEAN = {
  densenet121ImageNet: 0.81,
  resnet50Scratch: 0.74,
  chexnet: 0.841,
} as const;

/** COVID-19 vs other, test AUC by initialisation (study's Table 2). */
export const STUDY_COVID_AUC = {
  nihPretrained: 0.88,
  imagenet: 0.87,
  scratch: 0.73,
} as const;

/** The 15-class task: COVID-19 one-vs-rest test AUC. */
export const STUDY_FIFTEEN_COVID_AUC = 0.89;

/** The study's scale, for the captions of comparison tables. */
export const STUDY_SCALE = {
  nih: "112,120 images of 30,805 patients, 224 px, split by patient (57/20/23%)",
  covid: "295 frontal X-rays (232 COVID-19, 63 other), 224 px, split by image, 100 epochs",
} as const;
