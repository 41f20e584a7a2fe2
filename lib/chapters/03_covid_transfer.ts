/**
 * Chapter 3: every arm of the transfer question under patient K-fold cross-validation, the
 * controls that see no disease, the study's image-level split measured, the named primary
 * comparison, the secondary and control families, and the chapter's conclusions.
 * @module
 */
import { patientKey } from "../data/record.ts";
import type { CovidRecord } from "../data/datasets/mod.ts";
import type { ModelName } from "../data/normalise.ts";
import type { Fold } from "../data/folds.ts";
import { sharedTestDifference } from "../eval/crossval.ts";
import { auc } from "../eval/roc.ts";
import {
  compareCv,
  type CvArm,
  cvSubset,
  frozenCvArm,
  pooledScores,
  sourceOnlyControl,
  tunedCvArm,
  viewOnlyControl,
} from "../experiments/cross_validated.ts";
import { frozenBackbone } from "../experiments/heads.ts";
import { imageLevelFolds } from "../experiments/study_data.ts";
import { recordsHash } from "../experiments/runs.ts";
import type { CovidStudyData } from "../experiments/study_data.ts";
import { inputCueFeatures } from "../experiments/input_cues.ts";
import { ARCH_NAMES, type StartingPoint } from "../experiments/starts.ts";
import {
  type ComparisonInput,
  decideFamily,
  decidePrimary,
  type Verdict,
} from "../experiments/verdict.ts";
import type { Profile } from "../config.ts";
import { STUDY_BY_START, STUDY_COVID_AUC } from "../study.ts";
import { showTable } from "../viz/html_table.ts";
import { fmtCi, fmtDiff, fmtP } from "../format.ts";
import type { ChapterSummary } from "../report/summary.ts";

type Arm = CvArm<CovidRecord>;

/** The primary comparison, named before any result: fine-tuned DenseNet121, ChestX-ray14 − ImageNet. */
const PRIMARY = { a: "tuned-densenet121-nih", b: "tuned-densenet121-imagenet" } as const;

/** How much the study's image-level split inflates one frozen arm's AUC. */
export interface Inflation {
  readonly arm: string;
  /** Pooled out-of-fold AUC with image-level folds − with patient folds, same images. */
  readonly difference: number;
  readonly lo: number;
  readonly hi: number;
  readonly p: number;
  readonly imageLevel: number;
  readonly patientLevel: number;
}

/**
 * Frozen-backbone arms for every architecture and start: features once per image (cached on
 * disk), then a head per fold and repeat. The fold-0 classifier of each is saved for chapter 4
 * and the try page. For DenseNet121 the same heads also run with the study's image-level folds,
 * and what that inflates is measured on the same images.
 */
export async function frozenTransferArms(options: {
  readonly archs: readonly ModelName[];
  readonly starts: readonly StartingPoint[];
  readonly covid: CovidStudyData;
  readonly profile: Profile;
}): Promise<{ arms: Arm[]; inflation: Inflation[] }> {
  const { covid, profile } = options;
  const arms: Arm[] = [], inflation: Inflation[] = [];
  const byImage = imageLevelFolds(covid.records, profile);
  for (const arch of options.archs) {
    for (const start of options.starts.filter((s) => s.has(arch))) {
      const arm = `${ARCH_NAMES[arch]} · ${start.name(arch)} · frozen`;
      const backbone = await frozenBackbone({
        name: arm,
        arch,
        init: start.init(arch),
        records: covid.records,
        outputs: 1,
        side: profile.imageSide,
      });
      const common = { features: backbone, repeats: profile.headRepeats, profile, arch };
      const patientArm = await frozenCvArm({
        ...common,
        key: `frozen-${arch}-${start.key}`,
        arm,
        start: start.key,
        folds: covid.folds,
        notTestable: start.notTestable(arch),
        save: {
          run: `covid-frozen-${arch}-${start.key}`,
          model: backbone.model,
          init: start.init(arch),
        },
      });
      arms.push(patientArm);
      if (arch === "densenet121") {
        const imageArm = await frozenCvArm({
          ...common,
          key: `frozen-${arch}-${start.key}-image-split`,
          arm: `${arm}, image-level folds`,
          folds: byImage,
        });
        inflation.push(inflationOf(patientArm, imageArm, profile.resamples));
      }
      backbone.model.dispose();
    }
  }
  return { arms, inflation };
}

// Image-level − patient-level pooled out-of-fold AUC on the same images, repeat by repeat;
// interval: patient bootstrap + the repeats' spread.
function inflationOf(patientArm: Arm, imageArm: Arm, resamples: number): Inflation {
  const repeats = Math.min(patientArm.repeats, imageArm.repeats);
  const p = Array.from({ length: repeats }, (_, r) => pooledScores(patientArm, r));
  const i = Array.from({ length: repeats }, (_, r) => pooledScores(imageArm, r));
  const d = sharedTestDifference(
    i.map((x) => x.scores),
    p.map((x) => x.scores),
    p[0].labels,
    p[0].records.map(patientKey),
    { resamples },
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    arm: patientArm.arm,
    difference: d.estimate,
    lo: d.lo,
    hi: d.hi,
    p: d.p,
    imageLevel: mean(i.map((x) => auc(x.scores, x.labels))),
    patientLevel: mean(p.map((x) => auc(x.scores, x.labels))),
  };
}

/**
 * The controls that see no disease, on the same folds: a head on the model input's global
 * statistics (8×8 thumbnail, histogram), the view alone, and where the image was published.
 */
export async function controlArms(
  covid: CovidStudyData,
  profile: Profile,
): Promise<Arm[]> {
  const cues = await inputCueFeatures(covid.records, profile.imageSide, "densenet121");
  const input = await frozenCvArm({
    key: "control-input",
    arm: "model-input statistics only (8×8 thumbnail + histogram)",
    kind: "control",
    description: "a head on the network's input reduced to an 8×8 thumbnail, a 16-bin " +
      "histogram and five order statistics: brightness, contrast and layout, no anatomy",
    features: { name: "model-input cues", features: cues },
    folds: covid.folds,
    repeats: profile.headRepeats,
    profile,
  });
  return [
    input,
    viewOnlyControl(covid.folds),
    sourceOnlyControl(covid.folds, (r) => r.publisher),
  ];
}

/** Fine-tuned arms: each start in the profile's list, every fold (and repeat). */
export async function tunedTransferArms(options: {
  readonly archs: readonly ModelName[];
  readonly starts: readonly StartingPoint[];
  readonly folds: readonly Fold<CovidRecord>[];
  readonly profile: Profile;
  readonly augment?: boolean;
}): Promise<Arm[]> {
  const { profile } = options;
  const augment = options.augment !== false;
  const arms: Arm[] = [];
  for (const arch of options.archs) {
    for (const start of options.starts.filter((s) => s.has(arch))) {
      arms.push(
        await tunedCvArm({
          key: `tuned-${arch}-${start.key}${augment ? "" : "-noaug"}`,
          arm: `${ARCH_NAMES[arch]} · ${start.name(arch)} · fine-tuned${
            augment ? "" : ", no augmentation"
          }`,
          arch,
          start: start.key,
          init: start.init(arch),
          folds: options.folds,
          repeats: profile.tuneRepeats,
          profile,
          augment,
          notTestable: start.notTestable(arch),
        }),
      );
    }
  }
  return arms;
}

/** The chapter's three sets of decisions. */
export interface TransferVerdicts {
  readonly primary: Verdict;
  readonly secondary: readonly Verdict[];
  readonly controls: readonly Verdict[];
}

/**
 * The primary comparison alone at 0.05; the secondary family (the other start comparisons,
 * frozen and fine-tuned, and augmentation) with Holm; the control family (every arm against
 * every control) with Holm. Arms that did not learn are not testable in every family.
 */
export function transferVerdicts(arms: {
  frozen: readonly Arm[];
  tuned: readonly Arm[];
  ablation: readonly Arm[];
  controls: readonly Arm[];
}): TransferVerdicts {
  const find = (group: readonly Arm[], key: string) => group.find((a) => a.key === key);
  const pa = find(arms.tuned, PRIMARY.a), pb = find(arms.tuned, PRIMARY.b);
  const primary = decidePrimary(
    pa && pb ? compareCv(pa, pb) : {
      a: { arm: pa?.arm ?? "DenseNet121 · ChestX-ray14 start · fine-tuned" },
      b: { arm: pb?.arm ?? "DenseNet121 · ImageNet only · fine-tuned" },
      notTestable: "the profile did not fine-tune both arms",
    },
  );
  const pairs = [
    ["nih", "imagenet"],
    ["nih", "shuffled"],
    ["shuffled", "imagenet"],
    ["imagenet", "scratch"],
    ["nih", "scratch"],
  ] as const;
  const secondary: ComparisonInput[] = [];
  for (const [group, mode] of [[arms.frozen, "frozen"], [arms.tuned, "tuned"]] as const) {
    for (const arch of new Set(group.map((a) => a.arch!))) {
      for (const [x, y] of pairs) {
        if (mode === "tuned" && arch === "densenet121" && x === "nih" && y === "imagenet") continue;
        const a = find(group, `${mode}-${arch}-${x}`), b = find(group, `${mode}-${arch}-${y}`);
        if (a && b) secondary.push(compareCv(a, b));
      }
    }
  }
  for (const without of arms.ablation) {
    const withAug = find(arms.tuned, without.key.replace(/-noaug$/, ""));
    if (withAug) secondary.push(compareCv(withAug, without));
  }
  const controls = [...arms.frozen, ...arms.tuned, ...arms.ablation]
    .flatMap((a) => arms.controls.map((c) => compareCv(a, c)));
  return { primary, secondary: decideFamily(secondary), controls: decideFamily(controls) };
}

/** Within-view AUC of every arm (mean over folds), and the view mix of the folds. */
export function viewRows(arms: readonly Arm[]): {
  arm: string;
  view: string;
  auc: number;
  lo: number;
  hi: number;
  folds: number;
  images: number;
}[] {
  const isAp = (r: CovidRecord) => r.view.startsWith("AP");
  const views = [["PA", (r: CovidRecord) => !isAp(r)], ["AP (incl. supine)", isAp]] as const;
  return arms.filter((a) => a.key !== "control-view").flatMap((a) =>
    views.map(([view, keep]) => {
      const e = cvSubset(a, keep);
      return {
        arm: a.arm,
        view,
        auc: e.estimate,
        lo: e.lo,
        hi: e.hi,
        folds: e.perFold.length,
        images: e.images,
      };
    })
  );
}

/** What chapter 3 saves (numbers only: no predictions). */
export interface TransferResults extends Record<string, unknown> {
  readonly scale: string;
  readonly design: {
    readonly folds: number;
    readonly headRepeats: number;
    readonly tuneRepeats: number;
    readonly tuneEpochs: number;
    readonly side: number;
    /** Hash of each fold's test images: later chapters check they rebuild the same folds. */
    readonly foldHashes: readonly string[];
  };
  readonly primary: { readonly a: string; readonly b: string; readonly verdict: Verdict };
  readonly arms: readonly ArmResult[];
  readonly secondary: readonly Verdict[];
  readonly controlVerdicts: readonly Verdict[];
  readonly byView: ReturnType<typeof viewRows>;
  readonly inflation: readonly Inflation[];
}

/** One arm as saved. */
export interface ArmResult {
  readonly key: string;
  readonly arm: string;
  readonly kind: string;
  readonly mode: string;
  readonly arch?: string;
  readonly start?: string;
  readonly augment: boolean;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly se: number;
  readonly df: number;
  readonly perFold: readonly number[];
  readonly learned: boolean;
  readonly learnedReason: string;
  readonly notTestable?: string;
  readonly description?: string;
  readonly folds: readonly {
    fold: number;
    repeat: number;
    auc: number;
    model?: string;
    threshold?: number;
    epochs?: number;
    bestEpoch?: number;
    history?: unknown;
  }[];
}

/** An arm's numbers for the results file. */
function armResult(a: Arm): ArmResult {
  return {
    key: a.key,
    arm: a.arm,
    kind: a.kind,
    mode: a.kind,
    arch: a.arch,
    start: a.start,
    augment: a.augment,
    mean: a.auc.estimate,
    lo: a.auc.lo,
    hi: a.auc.hi,
    se: a.auc.se,
    df: a.auc.df,
    perFold: a.auc.perFold,
    learned: a.learned.learned,
    learnedReason: a.learned.reason,
    notTestable: a.notTestable,
    description: a.description,
    folds: a.runs.map((r) => ({
      fold: r.fold,
      repeat: r.repeat,
      auc: r.auc,
      model: r.model,
      threshold: r.threshold,
      epochs: r.epochs,
      bestEpoch: r.bestEpoch,
      history: r.history,
    })),
  };
}

/** Everything chapter 3 saves, from its arms, verdicts and view table. */
export function transferResults(r: {
  covid: CovidStudyData;
  profile: Profile;
  frozen: { arms: readonly Arm[]; inflation: readonly Inflation[] };
  tuned: readonly Arm[];
  ablation: readonly Arm[];
  controls: readonly Arm[];
  verdicts: TransferVerdicts;
  byView: TransferResults["byView"];
}): TransferResults {
  const arms = [...r.frozen.arms, ...r.tuned, ...r.ablation].map(armResult);
  const controls = r.controls.map(armResult);
  return {
    scale: r.covid.scale,
    design: {
      folds: r.profile.folds,
      headRepeats: r.profile.headRepeats,
      tuneRepeats: r.profile.tuneRepeats,
      tuneEpochs: r.profile.tuneEpochs,
      side: r.profile.imageSide,
      foldHashes: r.covid.folds.map((f) => recordsHash(f.test)),
    },
    headline: transferHeadline(arms, r.covid.scale, controls),
    primary: { ...PRIMARY, verdict: r.verdicts.primary },
    arms: [...arms, ...controls],
    secondary: r.verdicts.secondary,
    controlVerdicts: r.verdicts.controls,
    byView: r.byView,
    inflation: r.frozen.inflation,
    duplicates: { merged: r.covid.merged, copies: r.covid.copies },
  };
}

/** The home page's rows: fine-tuned DenseNet121 per start, with their caveats. */
function transferHeadline(
  arms: readonly ArmResult[],
  scale: string,
  controls: readonly ArmResult[],
): { id: string; value: number; ci: [number, number]; scale: string; note?: string }[] {
  const input = controls.find((c) => c.key === "control-input");
  const controlText = input
    ? `; a control that sees only the input's thumbnail and histogram: ${
      fmtCi(input.mean, input.lo, input.hi)
    }`
    : "";
  return arms.filter((a) => a.kind === "fine-tuned" && a.augment && a.arch === "densenet121")
    .filter((a) => a.start && a.start in STUDY_BY_START)
    .map((a) => ({
      id: {
        nih: "covid-auc-nih-pretrained",
        imagenet: "covid-auc-imagenet",
        scratch: "covid-auc-scratch",
      }[a.start as "nih" | "imagenet" | "scratch"],
      value: a.mean,
      ci: [a.lo, a.hi] as [number, number],
      scale: `DenseNet121 fine-tuned, ${a.folds.length / Math.max(1, countRepeats(a))}-fold ` +
        `patient cross-validation; ${scale}${controlText}`,
      note: a.learned ? a.notTestable : `did not learn at this scale: ${a.learnedReason}`,
    }));
}

function countRepeats(a: ArmResult): number {
  return new Set(a.folds.map((f) => f.repeat)).size;
}

/** Chapter 3's summary: one plain sentence per finding. */
export function summariseTransfer(r: TransferResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  const byKey = new Map(r.arms.map((a) => [a.key, a]));
  const auc = (a: ArmResult) => fmtCi(a.mean, a.lo, a.hi);
  const p = r.primary.verdict;
  const [pa, pb] = [byKey.get(r.primary.a), byKey.get(r.primary.b)];
  if (pa && pb) {
    const d = fmtDiff(p.difference, p.lo, p.hi);
    (p.shown ? found : cannotSay).push(
      p.shown
        ? `The primary question, answered: fine-tuned from ChestX-ray14, DenseNet121 reaches ` +
          `${auc(pa)}, from ImageNet alone ${auc(pb)}; the difference ${d} is shown (p ${
            fmtP(p.p!)
          }).`
        : p.testable
        ? `The primary question — does ChestX-ray14 pretraining beat ImageNet alone when ` +
          `DenseNet121 is fine-tuned? — is not answered at this scale: ${auc(pa)} against ` +
          `${auc(pb)}, difference ${d}, p ${fmtP(p.p!)}. The study's 0.88 vs 0.87 would not ` +
          "be told apart either."
        : `The primary question cannot be tested at this scale: ${
          p.verdict.replace(/^not testable at this scale: /, "")
        }.`,
    );
  }
  for (const a of r.arms.filter((a) => a.kind !== "control")) {
    if (!a.learned) {
      cannotSay.push(`${a.arm}: ${a.learnedReason} — reported, but no comparison rests on it.`);
    }
  }
  const tuned = r.arms.filter((a) => a.kind === "fine-tuned" && a.learned);
  if (tuned.length) {
    found.push(
      `Fine-tuned arms that learned (${r.design.folds}-fold patient cross-validation, ` +
        `${r.design.tuneEpochs} epochs, ${r.design.side} px): ${
          tuned.map((a) => `${a.arm} ${auc(a)}`).join("; ")
        }. The study reports ${STUDY_COVID_AUC.nihPretrained}, ${STUDY_COVID_AUC.imagenet} and ` +
        `${STUDY_COVID_AUC.scratch} for ChestX-ray14, ImageNet and no pretraining.`,
    );
  }
  for (const v of r.secondary) {
    if (v.testable && v.shown) found.push(`${v.verdict}: ${fmtDiff(v.difference, v.lo, v.hi)}.`);
  }
  const untested = r.secondary.filter((v) => !v.testable).length;
  const notShown = r.secondary.filter((v) => v.testable && !v.shown).length;
  if (notShown || untested) {
    cannotSay.push(
      `Of the ${r.secondary.length} other comparisons of starts and augmentation, ` +
        `${notShown} show no difference after Holm's correction and ${untested} are not ` +
        "testable (an arm did not learn); the table lists each.",
    );
  }
  for (const c of r.arms.filter((a) => a.kind === "control")) {
    if (c.learned) {
      found.push(
        `A control that sees no disease — ${c.arm} — separates COVID-19 from other findings ` +
          `with AUC ${auc(c)}: that much of any model's AUC here can come from ${
            c.key === "control-view"
              ? "the view"
              : c.key === "control-source"
              ? "where the image was published"
              : "brightness, contrast and layout"
          }.`,
      );
    }
  }
  const beaten = r.controlVerdicts.filter((v) => v.testable && v.shown && v.difference! > 0);
  const tested = r.controlVerdicts.filter((v) => v.testable);
  cannotSay.push(
    `Whether the networks see more than the controls: ${beaten.length} of ${tested.length} ` +
      "testable arm-versus-control comparisons show the arm ahead after Holm's correction" +
      (beaten.length ? ` (${beaten.map((v) => v.comparison).join("; ")}).` : "."),
  );
  for (const i of r.inflation) {
    const d = fmtDiff(i.difference, i.lo, i.hi);
    (i.lo > 0 ? found : cannotSay).push(
      i.lo > 0
        ? `The study's image-level split inflates ${i.arm}: ${i.imageLevel.toFixed(3)} against ` +
          `${i.patientLevel.toFixed(3)} with patients kept together, ${d} on the same images.`
        : `Whether the image-level split inflates ${i.arm}: ${d} on the same images, an ` +
          "interval that includes no inflation.",
    );
  }
  cannotSay.push(
    `How our numbers relate to the study's: ${r.scale}; the study split ~295 images by image ` +
      "and tested about 60, at 224 px after 100 epochs.",
  );
  return { found, cannotSay };
}

/** The COVID-19 study data in brief: scale, merged copies, and the folds. */
export async function showCovidData(covid: CovidStudyData): Promise<void> {
  const merged = covid.merged.map((g) => g.patientId).join(", ") || "none";
  console.log(covid.scale);
  console.log(
    `${covid.copies.acrossPatients} copies across patient ids (merged patients: ` +
      `${merged}); ${covid.copies.withinPatient} within one patient`,
  );
  await showTable(
    covid.folds.map((f) => ({
      fold: f.fold,
      "test images": f.test.length,
      "test patients": new Set(f.test.map((r) => r.patientId)).size,
      "COVID-19": f.test.filter((r) => r.covid).length,
      other: f.test.filter((r) => !r.covid).length,
      "AP films": f.test.filter((r) => r.view.startsWith("AP")).length,
    })),
    undefined,
    { caption: `${covid.folds.length} folds: each tests its patients once` },
  );
}
