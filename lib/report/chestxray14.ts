/**
 * Chapter 2's conclusions, written from its results.
 * @module
 */
import { NIH_FINDINGS } from "../data/record.ts";
import type { NihRecord } from "../data/datasets/mod.ts";
import type { ArmRun } from "../experiments/arm.ts";
import { addCardNotes } from "../models/card.ts";
import { compareMultiLabel, type multiLabelResult } from "../experiments/evaluate.ts";
import type { PretrainingGate } from "../experiments/gate.ts";
import { decideFamily, scoreSpread, type Verdict } from "../experiments/verdict.ts";
import { showTable } from "../viz/table.ts";
import { STUDY_NIH_MEAN } from "../study.ts";
import { fmtCi } from "./format.ts";
import type { ChapterSummary } from "./summary.ts";

/** What chapter 2 saves. */
export interface NihResults extends Record<string, unknown> {
  readonly scale: string;
  readonly arms: readonly {
    readonly arm: string;
    readonly meanAuc?: number;
    readonly meanCi?: [number, number];
    readonly findingsWithAuc: number;
    readonly tooFew: readonly string[];
    readonly degenerate: boolean;
  }[];
  readonly gates: readonly { readonly backbone: string; readonly gate: PretrainingGate }[];
  readonly comparisons: readonly Verdict[];
}

/** Chapter 2's summary. */
export function summariseChestXray14(r: NihResults): ChapterSummary {
  const found: string[] = [], cannotSay: string[] = [];
  for (const a of r.arms) {
    if (a.degenerate) {
      found.push(
        `${a.arm} gives near-constant test scores: a degenerate model, left out of ` +
          "comparisons.",
      );
    } else if (a.meanAuc !== undefined) {
      found.push(
        `${a.arm}: mean test AUC ${fmtCi(a.meanAuc, a.meanCi?.[0], a.meanCi?.[1])} over ` +
          `${a.findingsWithAuc} findings (${r.scale}).`,
      );
    }
  }
  found.push(
    `For scale: the study reports ${STUDY_NIH_MEAN.densenet121ImageNet} (DenseNet121, ` +
      `ImageNet start) and ${STUDY_NIH_MEAN.resnet50Scratch} (ResNet50 from scratch) on all ` +
      "112,120 images at 224 px.",
  );
  for (const { backbone, gate } of r.gates) {
    (gate.passed ? found : cannotSay).push(
      gate.passed
        ? `The ${backbone} backbone passes the pretraining gate (${gate.reason}); later ` +
          "chapters call it ChestX-ray14-pretrained."
        : `Whether ChestX-ray14 pretraining of ${backbone} helps later tasks: it fails the gate ` +
          `(${gate.reason}), so later chapters name it "${gate.name}" and every comparison ` +
          "resting on it is not testable at this scale.",
    );
  }
  for (const v of r.comparisons) {
    if (!v.testable) cannotSay.push(`${v.comparison}: ${v.verdict}.`);
    else if (v.pAdjusted! <= 0.05) found.push(`${v.comparison}: ${v.verdict}.`);
    else {
      cannotSay.push(
        `Whether ${v.comparison.replace(" − ", " and ")} differ in mean AUC: ` +
          `${v.verdict}.`,
      );
    }
  }
  const tooFew = [...new Set(r.arms.flatMap((a) => a.tooFew))];
  if (tooFew.length) {
    cannotSay.push(
      `Per-finding AUC for ${tooFew.join(", ")}: fewer than 5 positive test ` +
        "patients, so no AUC is reported.",
    );
  }
  return { found, cannotSay };
}

/** The gate of each backbone, as a table. */
export function showGates(
  gates: readonly { backbone: string; gate: PretrainingGate }[],
): Promise<void> {
  return showTable(
    gates.map(({ backbone, gate }) => ({
      backbone,
      "validation mean AUC (95% CI)": fmtCi(gate.meanAuc, gate.ci?.[0], gate.ci?.[1]),
      findings: gate.findings,
      "named in chapters 3–6": gate.name,
    })),
    undefined,
    { caption: "The pretraining gate (validation images only)" },
  );
}

/** A trained ChestX-ray14 arm with its per-finding test table. */
export interface NihArmTable {
  readonly arm: string;
  readonly run: ArmRun<NihRecord>;
  readonly table: ReturnType<typeof multiLabelResult>;
}

/**
 * The three arms pairwise on mean test AUC (over findings that have an AUC in every arm),
 * paired over patients, one Holm family; a degenerate arm is not testable.
 */
export function compareNihArms(arms: readonly NihArmTable[], resamples: number): Verdict[] {
  const shared = NIH_FINDINGS.map((_, i) => i)
    .filter((i) => arms.every(({ table }) => table.rows[i].status === "ok"));
  const status = (k: number) => ({
    arm: arms[k].arm,
    notTestable: scoreSpread(arms[k].run.test.scores.flat()).degenerate
      ? "near-constant test scores (a degenerate model)"
      : undefined,
  });
  const pairs = [[0, 2], [1, 2], [0, 1]] as const;
  return decideFamily(pairs.map(([a, b]) => ({
    a: status(a),
    b: status(b),
    ...compareMultiLabel(arms[a].run.test, arms[b].run.test, shared, { resamples }),
  })));
}

/** What chapter 2 saves, from its arms, gates and comparisons. */
export function nihResults(
  scale: string,
  arms: readonly NihArmTable[],
  gates: NihResults["gates"],
  comparisons: readonly Verdict[],
): NihResults {
  const headline = (id: string, k: number) => ({
    id,
    value: arms[k].table.meanAuc,
    ci: arms[k].table.meanCi,
    scale: `${arms[k].table.classesWithAuc} findings; ${scale}`,
  });
  return {
    scale,
    headline: [
      headline("nih-mean-auc-densenet121", 0),
      headline("nih-mean-auc-resnet50-scratch", 2),
    ],
    arms: arms.map(({ arm, run, table }) => ({
      arm,
      meanAuc: table.meanAuc,
      meanCi: table.meanCi,
      findingsWithAuc: table.classesWithAuc,
      tooFew: table.rows.filter((r) => r.status !== "ok").map((r) => r.label),
      degenerate: scoreSpread(run.test.scores.flat()).degenerate,
      perFinding: table.rows,
      bestEpoch: run.result.bestEpoch,
      history: run.result.history,
    })),
    gates,
    comparisons,
  };
}

/** Each arm's test result, written into its model card. */
export async function recordTestAucs(arms: readonly NihArmTable[]): Promise<void> {
  for (const { run, table } of arms) {
    await addCardNotes(run.dir, {
      test: { meanAuc: table.meanAuc, meanCi: table.meanCi, perFinding: table.rows },
    });
  }
}
