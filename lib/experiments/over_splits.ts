/**
 * Arms run over repeated patient splits, and compared the way a small test set demands. One
 * split's test AUC moves a lot with which patients landed in it, so every arm runs on several
 * splits; an arm is summarised by its mean over splits with a t-interval and its spread, and
 * two arms are compared split by split on the same test images (paired), then over splits with
 * the corrected resampled t-test, which counts both test-set and training-set variation.
 * @module
 */
import { relative } from "node:path";
import type { Profile } from "../config.ts";
import type { ModelName } from "../data/normalise.ts";
import type { CovidRecord } from "../data/datasets/mod.ts";
import type { Splits } from "../data/splits.ts";
import { correctedResampledTTest, meanInterval } from "../eval/stats.ts";
import { auc } from "../eval/roc.ts";
import type { Initialisation } from "../models/build.ts";
import { saveModel } from "../models/io.ts";
import { dataPart, PREPROCESSING, trainedOnList, writeCard } from "../models/card.ts";
import { withActivity } from "../progress.ts";
import { runInfo } from "../results.ts";
import { PROJECT_ROOT } from "../config.ts";
import { recordOperatingPoint } from "./operating.ts";
import type { Predictions } from "../train/predict.ts";
import { trainArm } from "./arm.ts";
import { nihBackbone } from "./backbones.ts";
import { type BinaryResult, binaryResult, compareArms } from "./evaluate.ts";
import { PRETRAINED_NAME } from "./gate.ts";
import { attachHead, frozenBackbone, trainHead } from "./heads.ts";
import { runDir } from "./runs.ts";
import { type ComparisonInput, scoreSpread } from "./verdict.ts";

/** Display names of the architectures. */
export const ARCH_NAMES: Readonly<Record<ModelName, string>> = {
  densenet121: "DenseNet121",
  resnet50: "ResNet50",
};

/** Where a network starts before the COVID-19 task. */
export interface StartingPoint {
  readonly key: "nih" | "imagenet" | "scratch";
  /** How results name it (for `nih`: the gate's name, honest when the gate failed). */
  readonly name: (arch: ModelName) => string;
  readonly init: (arch: ModelName) => Initialisation;
  /** Why comparisons resting on this start are not testable, per architecture. */
  readonly notTestable: (arch: ModelName) => string | undefined;
}

/**
 * The study's three starts: ChestX-ray14-pretrained (chapter 2's backbones, with their gates),
 * ImageNet only, and not pretrained.
 */
export async function startingPoints(
  archs: readonly ModelName[],
  profile: Profile,
): Promise<StartingPoint[]> {
  const backbones = new Map(
    await Promise.all(archs.map(async (a) => [a, await nihBackbone(a, profile)] as const)),
  );
  const nih = (arch: ModelName) => {
    const b = backbones.get(arch);
    if (!b) throw new Error(`no ChestX-ray14 backbone loaded for ${arch}`);
    return b;
  };
  return [
    {
      key: "nih",
      name: (arch) =>
        nih(arch).gate.passed
          ? PRETRAINED_NAME
          : `ImageNet + ${nih(arch).gate.updates} ChestX-ray14 updates (no measurable learning)`,
      init: (arch) => ({ from: nih(arch).dir }),
      notTestable: (arch) =>
        nih(arch).gate.passed
          ? undefined
          : `the ChestX-ray14 backbone did not learn measurably (${nih(arch).gate.reason})`,
    },
    { key: "imagenet", name: () => "ImageNet only", init: () => "imagenet", notTestable: none },
    { key: "scratch", name: () => "not pretrained", init: () => "scratch", notTestable: none },
  ];
}

function none(): undefined {
  return undefined;
}

/** One split of an arm. */
export interface SplitResult {
  readonly split: number;
  /** The saved model (folder with model.json and card.json), where one was kept. */
  readonly model?: string;
  readonly result: BinaryResult;
  readonly predictions: Predictions<CovidRecord>;
  /** Spread of the test scores; `degenerate` when (near-)constant. */
  readonly spread: { sd: number; distinct: number; degenerate: boolean };
  /** Epochs run and the epoch kept (fine-tuned arms). */
  readonly epochs?: number;
  readonly bestEpoch?: number;
  /** Per-epoch validation AUC and losses (fine-tuned arms: the training curve). */
  readonly history?: readonly {
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valAuc: number;
  }[];
}

/** An arm over splits. */
export interface ArmOverSplits {
  readonly key: string;
  readonly arm: string;
  readonly arch: ModelName;
  readonly start: StartingPoint["key"];
  readonly mode: "frozen" | "fine-tuned";
  readonly augment: boolean;
  readonly splits: SplitResult[];
  /** Test AUC over splits: mean, t-interval (clipped to [0, 1]), sample sd, range. */
  readonly summary: { mean: number; lo: number; hi: number; sd: number; min: number; max: number };
  /** Why comparisons with this arm are not testable (failed gate, degenerate scores). */
  readonly notTestable?: string;
}

/** Options shared by the frozen and fine-tuned drivers. */
export interface ArmsOptions {
  readonly archs: readonly ModelName[];
  readonly starts: readonly StartingPoint[];
  readonly records: readonly CovidRecord[];
  readonly splits: readonly Splits<CovidRecord>[];
  readonly profile: Profile;
}

const label = (r: CovidRecord) => [r.covid ? 1 : 0];
const isCovid = (r: CovidRecord) => r.covid;

/**
 * Frozen-backbone arms: features once per image, then a head per split. The split-0 classifier
 * (backbone + head) is saved with a model card for the CAM chapter.
 */
export function frozenArms(options: ArmsOptions): Promise<ArmOverSplits[]> {
  return withActivity("frozen-backbone arms", () => runFrozenArms(options));
}

async function runFrozenArms(options: ArmsOptions): Promise<ArmOverSplits[]> {
  const { profile } = options;
  const out: ArmOverSplits[] = [];
  for (const arch of options.archs) {
    for (const start of options.starts) {
      const name = `${ARCH_NAMES[arch]} · ${start.name(arch)} · frozen`;
      const backbone = await frozenBackbone({
        name,
        arch,
        init: start.init(arch),
        records: options.records,
        outputs: 1,
        side: profile.imageSide,
      });
      const splits: SplitResult[] = [];
      for (const [s, split] of options.splits.entries()) {
        const run = await trainHead({
          backbone,
          labels: label,
          ...split,
          profile,
          seed: s,
          oversample: isCovid,
        });
        const result = splitResult(s, name, run.test, profile);
        splits.push(result);
        if (s === 0) {
          attachHead(backbone.model, run);
          await saveClassifier(backbone.model, `covid-frozen-${arch}-${start.key}`, {
            arch,
            init: start.init(arch),
            split,
            profile,
            epochs: run.result.history.length,
            bestEpoch: run.result.bestEpoch,
            // the head's steps up to the kept epoch (the backbone received none)
            updates: (run.result.bestEpoch + 1) * Math.ceil(
              (2 * split.train.filter(isCovid).length) / profile.batchSize,
            ),
          });
          const dir = runDir(`covid-frozen-${arch}-${start.key}`, profile);
          await recordOperatingPoint(dir, run.validation, testOf(result));
          splits[0] = { ...result, model: relative(PROJECT_ROOT, dir) };
        }
        run.head.dispose();
      }
      backbone.model.dispose();
      out.push(armOverSplits({ arch, start, mode: "frozen", augment: false, name, splits }));
    }
  }
  return out;
}

/** Fine-tuned arms: the whole network trains on each split (the study's protocol). */
export function fineTunedArms(
  options: ArmsOptions & { readonly augment?: boolean },
): Promise<ArmOverSplits[]> {
  return withActivity("fine-tuned arms", () => runFineTunedArms(options));
}

async function runFineTunedArms(
  options: ArmsOptions & { readonly augment?: boolean },
): Promise<ArmOverSplits[]> {
  const { profile } = options;
  const augment = options.augment !== false;
  const out: ArmOverSplits[] = [];
  for (const arch of options.archs) {
    for (const start of options.starts) {
      const name = `${ARCH_NAMES[arch]} · ${start.name(arch)} · fine-tuned${
        augment ? "" : ", no augmentation"
      }`;
      const splits: SplitResult[] = [];
      for (const [s, split] of options.splits.entries()) {
        const run = await trainArm({
          name: `covid-tuned-${arch}-${start.key}${augment ? "" : "-noaug"}-s${s}`,
          arch,
          init: start.init(arch),
          labels: label,
          classes: ["COVID-19"],
          data: {
            dataset: "COVID-19 image data collection (frontal X-rays, labelled)",
            split: `patient split ${s} (60/20/20, stratified by COVID-19)`,
          },
          ...split,
          profile,
          seed: s,
          oversample: isCovid,
          augment,
        });
        const result = splitResult(s, name, run.test, profile);
        await recordOperatingPoint(run.dir, run.validation, testOf(result));
        splits.push({
          ...result,
          model: relative(PROJECT_ROOT, run.dir),
          epochs: run.result.history.length,
          bestEpoch: run.result.bestEpoch,
          history: run.result.history.map(({ epoch, trainLoss, valLoss, valAuc }) => ({
            epoch,
            trainLoss,
            valLoss,
            valAuc,
          })),
        });
        run.model.dispose();
      }
      out.push(armOverSplits({ arch, start, mode: "fine-tuned", augment, name, splits }));
    }
  }
  return out;
}

// A split's test result as the model card records it.
function testOf(result: SplitResult): Record<string, unknown> {
  const r = result.result;
  return { auc: r.auc, ci: [r.lo, r.hi], images: r.images, patients: r.patients };
}

function splitResult(
  split: number,
  arm: string,
  predictions: Predictions<CovidRecord>,
  profile: Profile,
): SplitResult {
  return {
    split,
    result: binaryResult(arm, predictions, { resamples: profile.resamples, seed: split }),
    predictions,
    spread: scoreSpread(predictions.scores.map((s) => s[0])),
  };
}

function armOverSplits(options: {
  arch: ModelName;
  start: StartingPoint;
  mode: ArmOverSplits["mode"];
  augment: boolean;
  name: string;
  splits: SplitResult[];
}): ArmOverSplits {
  const { arch, start, mode, splits } = options;
  const aucs = splits.map((s) => s.result.auc);
  const m = meanInterval(aucs);
  const degenerate = splits.filter((s) => s.spread.degenerate).map((s) => s.split);
  const notTestable = start.notTestable(arch) ??
    (degenerate.length
      ? `near-constant test scores on split${degenerate.length > 1 ? "s" : ""} ${
        degenerate.join(", ")
      } (a degenerate model)`
      : undefined);
  return {
    key: `${mode === "frozen" ? "frozen" : "tuned"}-${arch}-${start.key}${
      options.augment || mode === "frozen" ? "" : "-noaug"
    }`,
    arm: options.name,
    arch,
    start: start.key,
    mode,
    augment: options.augment,
    splits,
    summary: {
      mean: m.mean,
      // an AUC lies in [0, 1]; a t-interval over 2–3 splits can reach past it
      lo: Math.max(0, m.lo),
      hi: Math.min(1, m.hi),
      sd: m.sd,
      min: Math.min(...aucs),
      max: Math.max(...aucs),
    },
    notTestable,
  };
}

/** A comparison over splits, with its per-split detail. */
export interface SplitComparison extends ComparisonInput {
  readonly perSplit: { split: number; difference: number; lo: number; hi: number; p: number }[];
}

/**
 * A − B over the splits both ran on: per split the paired patient bootstrap on the same test
 * images; over splits the corrected resampled t-test (its p decides, its interval is shown).
 */
export function compareOverSplits(
  a: ArmOverSplits,
  b: ArmOverSplits,
  splits: readonly Splits<CovidRecord>[],
  resamples: number,
): SplitComparison {
  const shared = a.splits.filter((s) => b.splits.some((t) => t.split === s.split));
  const perSplit = shared.map((sa) => {
    const sb = b.splits.find((t) => t.split === sa.split)!;
    const c = compareArms(
      { arm: a.arm, predictions: sa.predictions },
      { arm: b.arm, predictions: sb.predictions },
      { resamples, seed: sa.split },
    );
    return { split: sa.split, difference: c.difference, lo: c.lo, hi: c.hi, p: c.p };
  });
  const statusA = { arm: a.arm, notTestable: a.notTestable };
  const statusB = { arm: b.arm, notTestable: b.notTestable };
  if (perSplit.length < 2) return { a: statusA, b: statusB, perSplit };
  const mean = (f: (s: Splits<CovidRecord>) => number) =>
    shared.reduce((acc, s) => acc + f(splits[s.split]), 0) / shared.length;
  const test = correctedResampledTTest(perSplit.map((s) => s.difference), {
    train: mean((s) => s.train.length),
    test: mean((s) => s.test.length),
  });
  return {
    a: statusA,
    b: statusB,
    difference: test.mean,
    lo: test.lo,
    hi: test.hi,
    p: test.p,
    perSplit,
  };
}

/** Test AUC within each view (PA, AP), and of the view alone, averaged over an arm's splits. */
export function aucByView(arm: ArmOverSplits): {
  view: string;
  meanAuc: number | undefined;
  splitsWithAuc: number;
  images: number;
}[] {
  const isAp = (r: CovidRecord) => r.view.startsWith("AP");
  const rows = [
    { view: "PA", keep: (r: CovidRecord) => !isAp(r), score: (s: number) => s },
    { view: "AP (incl. supine)", keep: isAp, score: (s: number) => s },
  ];
  const perView = rows.map(({ view, keep }) => {
    const aucs: number[] = [];
    let images = 0;
    for (const s of arm.splits) {
      const idx = s.predictions.records.map((r, i) => (keep(r) ? i : -1)).filter((i) => i >= 0);
      images += idx.length;
      const y = idx.map((i) => s.predictions.labels[i][0]);
      const pos = y.reduce((a, b) => a + b, 0);
      if (pos === 0 || pos === y.length) continue;
      aucs.push(auc(idx.map((i) => s.predictions.scores[i][0]), y));
    }
    return {
      view,
      meanAuc: aucs.length ? aucs.reduce((a, b) => a + b, 0) / aucs.length : undefined,
      splitsWithAuc: aucs.length,
      images: Math.round(images / arm.splits.length),
    };
  });
  // the control: a "model" that scores an image 1 if it is an AP film, else 0
  const viewOnly = arm.splits.map((s) =>
    auc(s.predictions.records.map((r) => (isAp(r) ? 1 : 0)), s.predictions.labels.map((l) => l[0]))
  );
  return [
    ...perView,
    {
      view: "view alone (AP = 1, PA = 0): a control",
      meanAuc: viewOnly.reduce((a, b) => a + b, 0) / viewOnly.length,
      splitsWithAuc: viewOnly.length,
      images: Math.round(
        arm.splits.reduce((a, s) => a + s.predictions.records.length, 0) / arm.splits.length,
      ),
    },
  ];
}

// The split-0 frozen classifier, saved whole with its card.
async function saveClassifier(
  model: Parameters<typeof saveModel>[0],
  run: string,
  options: {
    arch: ModelName;
    init: Initialisation;
    split: Splits<CovidRecord>;
    profile: Profile;
    epochs: number;
    bestEpoch: number;
    updates: number;
  },
): Promise<void> {
  const dir = runDir(run, options.profile);
  await saveModel(model, dir);
  const info = runInfo(options.profile);
  await writeCard(dir, {
    card: "xray-transfer/model-card@1",
    name: run,
    arch: options.arch,
    side: options.profile.imageSide,
    preprocessing: PREPROCESSING[options.arch],
    classes: ["COVID-19"],
    init: typeof options.init === "string" ? options.init : options.init.from,
    data: {
      dataset: "COVID-19 image data collection (frontal X-rays, labelled)",
      split: "patient split 0 (60/20/20, stratified by COVID-19); backbone frozen, head trained",
      train: dataPart(options.split.train),
      validation: dataPart(options.split.val),
    },
    trainedOn: trainedOnList([...options.split.train, ...options.split.val]),
    profile: options.profile.name,
    seed: 0,
    backend: info.backend?.description ?? "unknown",
    commit: info.gitCommit,
    training: { epochs: options.epochs, bestEpoch: options.bestEpoch, updates: options.updates },
    createdAt: info.createdAt,
  });
}
