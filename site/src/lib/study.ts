/**
 * The study's reported numbers (from its report; see shared STUDY.md), to set beside ours.
 * These are theirs, not measurements of this project.
 * @module
 */

/** One headline number the study reports. */
export interface StudyRow {
  readonly id: string;
  readonly task: string;
  readonly arm: string;
  readonly study: number;
  /** Chapter that produces our number. */
  readonly chapter: string;
}

/** The study's headline results. */
export const STUDY_HEADLINES: readonly StudyRow[] = [
  {
    id: "covid-auc-nih-pretrained",
    task: "COVID-19 vs other (test AUC)",
    arm: "pretrained on ChestX-ray14",
    study: 0.88,
    chapter: "03-covid-transfer",
  },
  {
    id: "covid-auc-imagenet",
    task: "COVID-19 vs other (test AUC)",
    arm: "ImageNet only",
    study: 0.87,
    chapter: "03-covid-transfer",
  },
  {
    id: "covid-auc-scratch",
    task: "COVID-19 vs other (test AUC)",
    arm: "not pretrained",
    study: 0.73,
    chapter: "03-covid-transfer",
  },
  {
    id: "nih-mean-auc-densenet121",
    task: "ChestX-ray14, 14 findings (mean AUC)",
    arm: "DenseNet121, ImageNet-pretrained",
    study: 0.81,
    chapter: "02-chestxray14",
  },
  {
    id: "nih-mean-auc-resnet50-scratch",
    task: "ChestX-ray14, 14 findings (mean AUC)",
    arm: "ResNet50 from scratch",
    study: 0.74,
    chapter: "02-chestxray14",
  },
  {
    id: "fifteen-class-covid-auc",
    task: "15 classes: COVID-19 one-vs-rest (AUC)",
    arm: "DenseNet121, ChestX-ray14-pretrained",
    study: 0.89,
    chapter: "06-fifteen-classes",
  },
];
