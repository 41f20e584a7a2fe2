import { assertEquals } from "../assert.ts";
import {
  type ExternalResult,
  storyRows,
  type VersionResult,
} from "../../lib/chapters/07_shortcuts.ts";
import type { ArmResult } from "../../lib/chapters/03_covid_transfer.ts";

const est = (estimate: number) => ({
  estimate,
  lo: estimate - 0.1,
  hi: estimate + 0.1,
  se: 0.05,
  df: 4,
  level: 0.95,
});
const version = (estimate: number) => ({ ...est(estimate), perFold: [estimate] });
const drop = { differences: [0], label: "" } as unknown as VersionResult["drops"]["lungs removed"];

Deno.test("chapter 7's story figure: one row per version, the hospital and the pooled set, then the controls", () => {
  const versions: VersionResult[] = [{
    arm: "A",
    task: "COVID-19 vs other",
    images: 10,
    versions: { intact: version(0.7), "lungs removed": version(0.4), "lungs only": version(0.69) },
    drops: { "lungs removed": drop, "lungs only": drop },
  }];
  const external: ExternalResult[] = [
    { arm: "A", group: "Actualmed", positives: 26, negatives: 18, auc: est(0.8) },
    { arm: "A", group: "Figure1", positives: 34, negatives: 3, note: "fewer than 5" },
    { arm: "A", group: "all external", positives: 60, negatives: 21, auc: est(0.79) },
    { arm: "B", group: "Actualmed", positives: 26, negatives: 18, auc: est(0.5) },
  ];
  const controls = [{
    arm: "source only",
    mean: 0.81,
    lo: 0.7,
    hi: 0.92,
  }] as unknown as ArmResult[];
  const rows = storyRows(versions, external, controls);
  assertEquals(rows.map((r) => [r.arm, r.condition, r.estimate]), [
    ["A", "intact (images with a lung mask)", 0.7],
    ["A", "lungs removed", 0.4],
    ["A", "lungs only", 0.69],
    ["A", "new hospital (Actualmed)", 0.8],
    ["A", "Figure1 + Actualmed pooled (confounded)", 0.79],
    ["controls (no disease)", "source only", 0.81],
  ]);
});
