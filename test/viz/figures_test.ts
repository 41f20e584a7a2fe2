/**
 * Figures that read: epochs ticked as whole numbers (1 2 3, never "1 2 2 3 3"), a legend that
 * lists only what is drawn, 12 px text, and a narrow layout for phones behind a container
 * query — checked on the SVG each figure renders, against the input it was given.
 */
import { assertEquals, assertTrue } from "../assert.ts";
import {
  epochTicks,
  type ForestArm,
  forestPlots,
  trainingCurvePlots,
} from "../../lib/viz/figures.ts";
import { FONT_PX, NARROW_WIDTH, plotToString, responsivePlot } from "../../lib/viz/plot.ts";
import { sanitize } from "../../site/src/render/sanitize.ts";

// The text of an axis' tick labels in rendered SVG.
function tickLabels(svg: string, axis: "x" | "y"): string[] {
  const group = new RegExp(`aria-label="${axis}-axis tick label"[^>]*>(.*?)</g>`, "s").exec(svg);
  return [...(group?.[1] ?? "").matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

// The legend's entries (Plot draws them as HTML swatches).
function legend(html: string): string[] {
  return [...html.matchAll(/-swatch"[^>]*>.*?<\/svg>([^<]*)</gs)].map((m) => m[1].trim());
}

const history = (n: number) =>
  Array.from({ length: n }, (_, epoch) => ({
    epoch,
    trainLoss: 1 - epoch / 10,
    valLoss: 1.1 - epoch / 12,
    valAuc: 0.5 + epoch / 20,
  }));

Deno.test("training curves: one tick per epoch, whole numbers; dashed lines explained", () => {
  const [auc, loss] = trainingCurvePlots([
    { run: "a · split 0", history: history(3), bestEpoch: 2 },
    { run: "a · split 1", history: history(3), bestEpoch: 1 },
  ], "Fine-tuned runs.");
  for (const { wide, narrow } of [auc, loss]) {
    assertEquals(tickLabels(plotToString(wide), "x"), ["1", "2", "3"]);
    assertEquals(tickLabels(plotToString(narrow), "x"), ["1", "2", "3"]);
  }
  assertTrue(String(loss.wide.caption).includes("dashed lines with rings: training loss"));
  // one epoch: one tick, and the training loss still drawn (a ring per point)
  const [, one] = trainingCurvePlots([{ run: "r", history: history(1), bestEpoch: 0 }], "One.");
  const svg = plotToString(one.wide);
  assertEquals(tickLabels(svg, "x"), ["1"]);
  assertEquals([...svg.matchAll(/<marker/g)].length >= 2, true, "a marker for each line");
  assertTrue(String(auc.wide.caption).includes("dashed grey line: chance"));
  // a long run: at most 12 ticks (5 on a phone), still whole epochs
  assertEquals(epochTicks(100, 12), [1, 10, 19, 28, 37, 46, 55, 64, 73, 82, 91, 100]);
  assertEquals(epochTicks(5, 5), [1, 2, 3, 4, 5]);
  assertEquals(epochTicks(1, 5), [1]);
});

const arms: ForestArm[] = [
  {
    arm: "DenseNet121 · ImageNet only · frozen",
    points: [0.6, 0.7],
    mean: 0.65,
    lo: 0.55,
    hi: 0.75,
  },
  {
    arm: "DenseNet121 · ImageNet only · fine-tuned, no augmentation",
    points: [0.8, 0.7],
    mean: 0.75,
    lo: 0.6,
    hi: 0.9,
  },
];

Deno.test("forest plot: the legend lists only the marks drawn", () => {
  const without = forestPlots(arms, "Frozen arms.");
  assertEquals(legend(plotToString(without.wide)), ["split", "mean (95% CI over splits)"]);
  const withStudy = forestPlots(arms.map((a) => ({ ...a, study: 0.87 })), "Tuned arms.");
  assertEquals(legend(plotToString(withStudy.wide)), [
    "split",
    "mean (95% CI over splits)",
    "study",
  ]);
  // an interval below the axis (lo 0) is clipped to the plot, clear of the names on the left
  const wide = plotToString(forestPlots([{ ...arms[0], lo: 0 }], "Wide.").wide);
  assertTrue(/clip-path="url\(#/.test(wide), "the intervals are not clipped to the frame");
  const folds = forestPlots(arms, "Folds.", { run: "fold" });
  assertEquals(legend(plotToString(folds.wide)), ["fold", "mean (95% CI over folds)"]);
});

Deno.test("forest plot on a phone: each arm's name above its row, inside the figure", () => {
  const { narrow } = forestPlots(arms, "Arms.");
  const svg = plotToString(narrow);
  assertEquals(narrow.width, NARROW_WIDTH);
  // the longest name wraps to stay within the width; every word of every name is drawn
  for (const a of arms) {
    for (const word of a.arm.split(" ")) assertTrue(svg.includes(word), `${word} missing`);
  }
  assertTrue(/<tspan[^>]*>[^<]*<\/tspan><tspan/.test(svg), "the long name did not wrap");
});

Deno.test("figures draw text at 12 px and carry their narrow layout behind a container query", () => {
  const { wide, narrow } = forestPlots(arms, "Arms.");
  assertTrue(plotToString(wide).includes(`font-size: ${FONT_PX}px`));
  const html = responsivePlot(wide, narrow);
  assertTrue(html.includes('class="xray-wide"') && html.includes('class="xray-narrow"'));
  // 720 px wide at 12 px: below 660 px its text would be under 11 px
  assertTrue(html.includes("@container (max-width:659px)"), html.slice(0, 300));
  // the site keeps both layouts and the rule that picks one
  const clean = sanitize(html);
  for (const keep of ["@container (max-width:659px)", "xray-narrow", "xray-wide"]) {
    assertTrue(clean.includes(keep), `${keep} lost in sanitising`);
  }
  // a figure that fits a phone is drawn once
  assertTrue(responsivePlot({ ...wide, width: 320 }).startsWith("<figure"));
});
