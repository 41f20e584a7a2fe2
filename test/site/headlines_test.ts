import { assertEquals, assertThrows } from "../assert.ts";
import { headlines, loadResults } from "../../site/src/render/results.ts";

const run = (profile: string) => ({ profile: { name: profile } });
const headline = (id: string, value: number) => ({ id, value, ci: [value - 0.1, value + 0.1] });

Deno.test("headlines: a results file of another profile is refused, not read as the chapter's", () => {
  const results = {
    "chestxray14": { run: run("quick"), headline: [headline("nih-mean-auc", 0.61)] },
    "reproduction-default": { run: run("smoke"), headline: [headline("nih-mean-auc", 0.5)] },
  };
  assertThrows(() => headlines(results, "quick"), Error, 'profile "smoke"');
});

Deno.test("headlines: one id from two files is refused", () => {
  const results = {
    "a": { run: run("quick"), headline: [headline("x", 0.7)] },
    "b": { run: run("quick"), headline: [headline("x", 0.8)] },
  };
  assertThrows(() => headlines(results, "quick"), Error, "two files");
});

Deno.test("headlines: the published quick results give each headline from its own chapter", () => {
  const results = loadResults("quick");
  const map = headlines(results, "quick");
  for (const [name, data] of Object.entries(results)) {
    for (const h of (data.headline as { id: string; value: number }[] | undefined) ?? []) {
      assertEquals(map.get(h.id)?.value, h.value, `${name}: ${h.id}`);
    }
  }
});
