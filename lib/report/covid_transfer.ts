/**
 * Chapter 3's tables, comparison family and conclusions, from its arms over splits.
 * @module
 */
import type { CovidRecord } from "../data/datasets/mod.ts";
import type { Splits } from "../data/splits.ts";
import type { CovidStudyData } from "../experiments/study_data.ts";
import {
  type ArmOverSplits,
  compareOverSplits,
  type SplitComparison,
} from "../experiments/over_splits.ts";
import { decideFamily, type Verdict } from "../experiments/verdict.ts";
import { STUDY_COVID_AUC } from "../study.ts";
import { showForest } from "../viz/figures.ts";
import { showTable } from "../viz/table.ts";
import { fmtCi, fmtSpread } from "./format.ts";
import type { ChapterSummary } from "./summary.ts";

/** The study's test AUC for a start (fine-tuned, split by image). */
export const STUDY_BY_START: Readonly<Record<string, number>> = {
  nih: STUDY_COVID_AUC.nihPretrained,
  imagenet: STUDY_COVID_AUC.imagenet,
  scratch: STUDY_COVID_AUC.scratch,
};

/** An arm's table row and forest-plot entry. */
export async function showArms(
  arms: readonly ArmOverSplits[],
  caption: string,
  withStudy = false,
): Promise<void> {
  await showTable(
    arms.map((a) => ({
      arm: a.arm,
      "mean AUC (95% CI over splits)": fmtCi(a.summary.mean, a.summary.lo, a.summary.hi),
      "mean ± sd (range)": fmtSpread(a.summary, a.splits.length),
      "split 0 (patient-bootstrap CI)": fmtCi(
        a.splits[0].result.auc,
        a.splits[0].result.lo,
        a.splits[0].result.hi,
      ),
      ...(withStudy ? { "study (split by image)": STUDY_BY_START[a.start] } : {}),
      note: a.notTestable ?? "",
    })),
    undefined,
    { caption },
  );
  await showForest(
    arms.map((a) => ({
      arm: a.arm,
      splits: a.splits.map((s) => ({ split: s.split, auc: s.result.auc })),
      ...a.summary,
      study: withStudy ? STUDY_BY_START[a.start] : undefined,
    })),
    `${caption} Grey: each split's test AUC; blue: the mean and its 95% interval over splits` +
      (withStudy ? "; red: the study's value." : "."),
  );
}

/** The chapter's family of comparisons: the three starts pairwise per mode, and augmentation. */
export function transferComparisons(
  arms: { frozen: ArmOverSplits[]; tuned: ArmOverSplits[]; withoutAugmentation: ArmOverSplits[] },
  splits: readonly Splits<CovidRecord>[],
  resamples: number,
): { verdicts: Verdict[]; details: SplitComparison[] } {
  const pairs = [["nih", "imagenet"], ["imagenet", "scratch"], ["nih", "scratch"]] as const;
  const details: SplitComparison[] = [];
  for (const group of [arms.frozen, arms.tuned]) {
    for (const arch of new Set(group.map((a) => a.arch))) {
      for (const [x, y] of pairs) {
        const a = group.find((g) => g.arch === arch && g.start === x);
        const b = group.find((g) => g.arch === arch && g.start === y);
        if (a && b) details.push(compareOverSplits(a, b, splits, resamples));
      }
    }
  }
  for (const without of arms.withoutAugmentation) {
    const withAug = arms.tuned.find((t) => t.arch === without.arch && t.start === without.start);
    if (withAug) details.push(compareOverSplits(withAug, without, splits, resamples));
  }
  return { verdicts: decideFamily(details), details };
}

/** What chapter 3 saves (predictions stripped). */
export interface TransferResults extends Record<string, unknown> {
  readonly scale: string;
  readonly arms: readonly {
    readonly key: string;
    readonly arm: string;
    readonly mode: string;
    readonly start: string;
    readonly arch: string;
    readonly augment: boolean;
    readonly mean: number;
    readonly lo: number;
    readonly hi: number;
    readonly sd: number;
    readonly min: number;
    readonly max: number;
    readonly splits: readonly { split: number; auc: number; lo: number; hi: number }[];
    readonly notTestable?: string;
  }[];
  readonly comparisons: readonly Verdict[];
  readonly byView: readonly { arm: string; view: string; meanAuc?: number }[];
}

/** Arms as saved: no predictions, only numbers. */
export function armsForResults(arms: readonly ArmOverSplits[]): TransferResults["arms"] {
  return arms.map((a) => ({
    key: a.key,
    arm: a.arm,
    mode: a.mode,
    start: a.start,
    arch: a.arch,
    augment: a.augment,
    ...a.summary,
    splits: a.splits.map((s) => ({
      split: s.split,
      model: s.model,
      auc: s.result.auc,
      lo: s.result.lo,
      hi: s.result.hi,
      epochs: s.epochs,
      bestEpoch: s.bestEpoch,
      history: s.history,
    })),
    notTestable: a.notTestable,
  }));
}

/** Chapter 3's summary. */
export function summariseTransfer(r: TransferResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  const tuned = r.arms.filter((a) => a.mode === "fine-tuned" && a.augment);
  const frozen = r.arms.filter((a) => a.mode === "frozen");
  const line = (a: TransferResults["arms"][number]) =>
    `${a.arm}: ${fmtCi(a.mean, a.lo, a.hi)} (${a.splits.length} splits, range ` +
    `${a.min.toFixed(2)}–${a.max.toFixed(2)})`;
  if (tuned.length) {
    found.push(
      `Fine-tuned, mean test AUC over splits — ${tuned.map(line).join("; ")}. The ` +
        `study (split by image, 224 px, 100 epochs): ${STUDY_COVID_AUC.nihPretrained}, ` +
        `${STUDY_COVID_AUC.imagenet}, ${STUDY_COVID_AUC.scratch} for ChestX-ray14, ImageNet, none.`,
    );
  }
  if (frozen.length) found.push(`Frozen backbone — ${frozen.map(line).join("; ")}.`);
  for (const v of r.comparisons) {
    if (!v.testable) cannotSay.push(`${v.comparison}: ${v.verdict}.`);
    else if (v.pAdjusted! <= 0.05) found.push(`${v.comparison}: ${v.verdict}.`);
    else {
      cannotSay.push(
        `Whether ${v.comparison.replace(" − ", " and ")} differ: ${v.verdict}; ` +
          `difference ${v.difference!.toFixed(3)} (${v.lo!.toFixed(3)} to ${v.hi!.toFixed(3)}).`,
      );
    }
  }
  const control = r.byView.filter((v) => v.view.startsWith("view alone"));
  if (control.length && control[0].meanAuc !== undefined) {
    found.push(
      `The view alone (AP vs PA film) separates COVID-19 from other findings with AUC ` +
        `${control[0].meanAuc.toFixed(3)} (mean over splits): part of any model's AUC here can ` +
        `come from the view, not the lungs.`,
    );
  }
  cannotSay.push(
    `How our numbers relate to the study's: ${r.scale}; the study split images, ` +
      "not patients, which lets one patient's films sit in training and test at once.",
  );
  return { found, cannotSay };
}

/** The COVID-19 study data in brief: scale, merged copies, and split 0 by part. */
export async function showCovidData(covid: CovidStudyData): Promise<void> {
  const merged = covid.merged.map((g) => g.patientId).join(", ") || "none";
  console.log(covid.scale);
  console.log(
    `${covid.copies.acrossPatients} copies across patient ids (merged patients: ` +
      `${merged}); ${covid.copies.withinPatient} within one patient`,
  );
  const describe = (rs: readonly CovidRecord[]) => ({
    images: rs.length,
    patients: new Set(rs.map((r) => r.patientId)).size,
    "COVID-19": rs.filter((r) => r.covid).length,
    other: rs.filter((r) => !r.covid).length,
  });
  await showTable(
    (["train", "val", "test"] as const).map((part) => ({
      part,
      ...describe(covid.splits[0][part]),
    })),
    undefined,
    { caption: `Split 0 of ${covid.splits.length}` },
  );
}

/** The home page's rows: fine-tuned DenseNet121 per start, mean over splits. */
export function transferHeadline(
  arms: readonly ArmOverSplits[],
  scale: string,
): { id: string; value: number; ci: [number, number]; scale: string; note?: string }[] {
  return arms.filter((a) => a.mode === "fine-tuned" && a.augment && a.arch === "densenet121")
    .map((a) => ({
      id: {
        nih: "covid-auc-nih-pretrained",
        imagenet: "covid-auc-imagenet",
        scratch: "covid-auc-scratch",
      }[
        a.start
      ],
      value: a.summary.mean,
      ci: [a.summary.lo, a.summary.hi] as [number, number],
      scale: `DenseNet121 fine-tuned, mean of ${a.splits.length} patient splits; ${scale}`,
      note: a.notTestable,
    }));
}
