/** The chapters' summaries: each verdict sorted into "what we found" or "what we cannot say". */
import { assertEquals } from "../assert.ts";
import { sortVerdicts } from "../../lib/report/summary.ts";
import type { Verdict } from "../../lib/experiments/verdict.ts";

const verdict = (a: string, testable: boolean, shown: boolean): Verdict => ({
  comparison: `${a} vs B`,
  a,
  b: "B",
  role: "secondary",
  testable,
  shown,
  verdict: `${a}: ${testable ? (shown ? "shown" : "not shown") : "not testable"}`,
});
const family = [
  verdict("shown", true, true),
  verdict("open", true, false),
  verdict("x", false, false),
];

Deno.test("sortVerdicts: shown ones are found, the rest cannot be said, in the family's order", () => {
  const into = { found: ["before"], cannotSay: [] as string[] };
  sortVerdicts(family, into, {
    shown: (v) => `found ${v.a}`,
    notShown: (v) => `open ${v.a}`,
    untestable: (v) => `untestable ${v.a}`,
  });
  assertEquals(into, {
    found: ["before", "found shown"],
    cannotSay: ["open open", "untestable x"],
  });
});

Deno.test("sortVerdicts: untestable worded as not shown by default; undefined leaves one out", () => {
  const into = { found: [] as string[], cannotSay: [] as string[] };
  sortVerdicts(family, into, { shown: () => undefined, notShown: (v) => `open ${v.a}` });
  assertEquals(into, { found: [], cannotSay: ["open open", "open x"] });
});
