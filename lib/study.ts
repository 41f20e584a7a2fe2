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

/** The study's test AUC for a start (fine-tuned, split by image). */
export const STUDY_BY_START: Readonly<Record<string, number>> = {
  nih: STUDY_COVID_AUC.nihPretrained,
  imagenet: STUDY_COVID_AUC.imagenet,
  scratch: STUDY_COVID_AUC.scratch,
};

/** The 15-class task: COVID-19 one-vs-rest test AUC. */
export const STUDY_FIFTEEN_COVID_AUC = 0.89;

/** The study's data: what it trained and tested on (its report; see STUDY notes). */
export const STUDY_DATA = {
  nih: { images: 112_120, patients: 30_805, side: 224, split: "by patient, 57/20/23%" },
  covid: {
    covid19: 232,
    other: 63,
    images: 295,
    side: 224,
    epochs: 100,
    split: "by image",
    /** About 20% of 295 images: the size of the test set its COVID-19 AUCs rest on. */
    testImages: 60,
  },
} as const;

/**
 * The interval an AUC carries on a test set of a given size (Hanley & McNeil 1982): the
 * standard error of the Mann–Whitney AUC from the numbers of positives and negatives, and a
 * normal 95% interval clipped to [0, 1]. The study reported no intervals; this says how wide
 * its 0.88 on about 60 test images (≈ 47 COVID-19, 13 other, in its 232 : 63 ratio) would be.
 */
export function hanleyMcNeilInterval(
  aucValue: number,
  positives: number,
  negatives: number,
): { lo: number; hi: number; se: number } {
  const a = aucValue;
  const q1 = a / (2 - a), q2 = (2 * a * a) / (1 + a);
  const variance = (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) /
    (positives * negatives);
  const se = Math.sqrt(variance);
  return { lo: Math.max(0, a - 1.96 * se), hi: Math.min(1, a + 1.96 * se), se };
}

/** The study's COVID-19 test set split in its class ratio: positives and negatives. */
export function studyCovidTestSet(): { positives: number; negatives: number } {
  const { covid19, images, testImages } = STUDY_DATA.covid;
  const positives = Math.round((testImages * covid19) / images);
  return { positives, negatives: testImages - positives };
}

/** One headline number of the study, as the report's front page sets ours beside it. */
export interface StudyHeadline {
  readonly id: string;
  readonly task: string;
  readonly arm: string;
  readonly study: number;
  /** The chapter whose results file holds our number. */
  readonly chapter: string;
  /** The study's scale for this number. */
  readonly scale: string;
}

/** The study's headline results, in the order the front page shows them. */
export const STUDY_HEADLINES: readonly StudyHeadline[] = [
  {
    id: "covid-auc-nih-pretrained",
    task: "COVID-19 vs other (test AUC)",
    arm: "DenseNet121, pretrained on ChestX-ray14",
    study: STUDY_COVID_AUC.nihPretrained,
    chapter: "03-covid-transfer",
    scale: "≈ 60 test images, split by image, 224 px, 100 epochs",
  },
  {
    id: "covid-auc-imagenet",
    task: "COVID-19 vs other (test AUC)",
    arm: "DenseNet121, ImageNet only",
    study: STUDY_COVID_AUC.imagenet,
    chapter: "03-covid-transfer",
    scale: "≈ 60 test images, split by image, 224 px, 100 epochs",
  },
  {
    id: "covid-auc-scratch",
    task: "COVID-19 vs other (test AUC)",
    arm: "DenseNet121, not pretrained",
    study: STUDY_COVID_AUC.scratch,
    chapter: "03-covid-transfer",
    scale: "≈ 60 test images, split by image, 224 px, 100 epochs",
  },
  {
    id: "nih-mean-auc-densenet121",
    task: "ChestX-ray14, 14 findings (mean AUC)",
    arm: "DenseNet121, ImageNet start",
    study: STUDY_NIH_MEAN.densenet121ImageNet,
    chapter: "02-chestxray14",
    scale: "112,120 images, 224 px",
  },
  {
    id: "nih-mean-auc-resnet50-scratch",
    task: "ChestX-ray14, 14 findings (mean AUC)",
    arm: "ResNet50 from scratch",
    study: STUDY_NIH_MEAN.resnet50Scratch,
    chapter: "02-chestxray14",
    scale: "112,120 images, 224 px",
  },
  {
    id: "fifteen-class-covid-auc",
    task: "15 classes: COVID-19 one-vs-rest (AUC)",
    arm: "DenseNet121, pretrained on ChestX-ray14",
    study: STUDY_FIFTEEN_COVID_AUC,
    chapter: "06-fifteen-classes",
    scale: "≥ 200 images per class, 224 px",
  },
];
