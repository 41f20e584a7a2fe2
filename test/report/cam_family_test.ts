/**
 * Chapter 4's family of tests: the maps of an arm that did not learn (chapter 3's verdict) take
 * part in no comparison, and the summary says why; the study's claim is not testable when an arm
 * it rests on did not learn.
 */
import { assertEquals, assertTrue } from "../assert.ts";
import { type CamArm, camFamily, lungShareRows, summariseCam } from "../../lib/chapters/04_cam.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("CAM family: comparisons resting on an arm that did not learn are not testable", () => {
  const rng = new Rng(3);
  const n = 60;
  const groups = Array.from({ length: n }, (_, i) => String(i));
  const area = Array.from({ length: n }, () => 0.35 + 0.02 * rng.next());
  // every map puts clearly more than the lungs' area on the lungs
  const shares = [0, 1, 2].map(() => area.map((a) => a + 0.2 + 0.01 * rng.next()));
  const arm = (start: string, learned: boolean): CamArm => ({
    key: `frozen-densenet121-${start}`,
    arch: "densenet121",
    start,
    name: start,
    init: "imagenet",
    learned,
    learnedReason: learned ? "test AUC 0.7 (0.6–0.8) lies above 0.5" : "test AUC 0.55 (0.45–0.65)",
    heads: [],
  });
  const arms = [arm("nih", true), arm("imagenet", false), arm("scratch", true)];
  const verdicts = camFamily(arms, shares, area, groups, 200);
  const byName = new Map(verdicts.map((v) => [v.comparison, v]));
  assertEquals(byName.get("nih − the lungs' area")!.testable, true);
  assertEquals(byName.get("scratch − the lungs' area")!.testable, true);
  assertEquals(byName.get("imagenet − the lungs' area")!.testable, false);
  // the claim rests on the ImageNet start's classifier too
  assertEquals(byName.get("nih − imagenet")!.testable, false);
  assertTrue(byName.get("nih − imagenet")!.verdict.startsWith("not testable at this scale"));

  const rows = lungShareRows(arms, shares, groups, 200);
  const summary = summariseCam({
    side: 128,
    cells: 4,
    images: n,
    lungArea: { mean: 0.36, lo: 0.35, hi: 0.37 },
    arms: rows,
    comparisons: verdicts,
  });
  assertTrue(!summary.found.some((s) => s.startsWith("imagenet's maps")));
  assertTrue(summary.cannotSay.some((s) => s.startsWith("What the maps of imagenet show")));
  assertTrue(summary.found.some((s) => s.startsWith("nih's maps put")));
});
