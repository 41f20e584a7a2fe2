/**
 * Chapter 4's family of tests: a map of a classifier that did not measurably learn (its card's
 * test AUC interval reaches 0.5) takes part in no comparison, and the summary says why; the
 * study's claim is not testable when its ChestX-ray14 start failed the gate.
 */
import { assertEquals, assertTrue } from "../assert.ts";
import type { ModelCard } from "../../lib/models/card.ts";
import {
  camFamily,
  type CamModel,
  classifierNotLearned,
  lungShareRows,
  summariseCam,
} from "../../lib/report/cam.ts";
import { Rng } from "../../lib/rng.ts";

function card(test?: { auc: number; ci: [number, number] }): ModelCard {
  return { name: "m", notes: test ? { test } : {} } as unknown as ModelCard;
}

Deno.test("a classifier learned only when its test AUC interval lies above 0.5", () => {
  assertEquals(classifierNotLearned(card({ auc: 0.73, ci: [0.61, 0.84] })), undefined);
  assertTrue(classifierNotLearned(card({ auc: 0.64, ci: [0.46, 0.81] }))!.includes("0.64"));
  assertTrue(classifierNotLearned(card({ auc: 0.6, ci: [0.5, 0.7] })) !== undefined);
  assertTrue(classifierNotLearned(card())!.includes("no test AUC"));
});

Deno.test("CAM family: comparisons resting on a classifier that did not learn are not testable", () => {
  const rng = new Rng(3);
  const n = 60;
  const groups = Array.from({ length: n }, (_, i) => String(i));
  const area = Array.from({ length: n }, () => 0.35 + 0.02 * rng.next());
  // every map puts clearly more than the lungs' area on the lungs
  const shares = [0, 1, 2].map(() => area.map((a) => a + 0.2 + 0.01 * rng.next()));
  const model = (start: string, extra: Partial<CamModel>): CamModel =>
    ({ arch: "densenet121", start, name: start, model: undefined!, ...extra }) as CamModel;
  const models = [
    model("nih", {}),
    model("imagenet", { notLearned: "its classifier did not measurably learn" }),
    model("scratch", {}),
  ];
  const verdicts = camFamily(models, shares, area, groups, 200);
  const byName = new Map(verdicts.map((v) => [v.comparison, v]));
  assertEquals(byName.get("nih − the lungs' area")!.testable, true);
  assertEquals(byName.get("scratch − the lungs' area")!.testable, true);
  assertEquals(byName.get("imagenet − the lungs' area")!.testable, false);
  // the claim rests on the ImageNet start's classifier too
  assertEquals(byName.get("nih − imagenet")!.testable, false);
  assertTrue(byName.get("nih − imagenet")!.verdict.startsWith("not testable at this scale"));

  const rows = lungShareRows(models, shares, groups, 200);
  const summary = summariseCam({
    side: 128,
    cells: 4,
    images: n,
    lungArea: { mean: 0.36, lo: 0.35, hi: 0.37 },
    arms: rows,
    comparisons: verdicts,
  });
  assertTrue(summary.found[1].includes("imagenet: ") && summary.found[1].includes("did not learn"));
  assertTrue(summary.cannotSay.some((s) => s.startsWith("What the maps of imagenet show")));
  assertTrue(!summary.found.some((s) => s.startsWith("imagenet − the lungs' area")));
});
