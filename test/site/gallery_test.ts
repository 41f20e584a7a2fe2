/**
 * The try-it page's gallery copies are the X-rays they claim to be: each copy, decoded, is held
 * against its SOURCE file — decoded on its own, turned grey and reduced to the copy's size here
 * by pixel-area averaging — and must correlate at ≥ 0.99 and have the size a fit inside
 * {@link GALLERY_SIDE} gives. No number computed from the copy itself is used as the expected
 * value (that is how a copy of stripes once passed: the build scored the broken copy, and the
 * page agreed with it).
 */
import { join } from "node:path";
import { assertEquals, assertTrue } from "../assert.ts";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { imageInfo } from "../../lib/data/images.ts";
import type { CovidRecord } from "../../lib/data/datasets/mod.ts";
import { GALLERY_SIDE, writeGalleryCopy } from "../../site/staging/gallery.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";
import { areaReduce, copyMatchesSource, correlation, fitInside } from "./source_check.ts";

Deno.test("areaReduce and correlation on hand-computed cases", () => {
  // 4×2 → 2×1: each output averages a 2×2 block
  assertEquals([...areaReduce([0, 2, 4, 6, 2, 4, 6, 8], 4, 2, 2, 1)], [2, 6]);
  assertEquals(correlation([1, 2, 3], [2, 4, 6]), 1);
  assertEquals(correlation([1, 2, 3], [3, 2, 1]), -1);
  assertEquals(fitInside(1000, 500, 320), [320, 160]);
  assertEquals(fitInside(200, 100, 320), [200, 100]);
});

Deno.test("real data: gallery copies are the X-rays: every kind of source, against the source", async () => {
  await using dir = await tempDir();
  const covid = await loadCovid({ dir: join(DATA_ROOT, "covid-chestxray") });
  // one source of each kind the collection holds: grey and colour JPEG, grey and colour PNG,
  // portrait and landscape, and one smaller than the gallery side (never enlarged)
  const kinds = new Map<string, CovidRecord>();
  for (const r of covid.records) {
    const info = await imageInfo(r.path);
    const kind = [
      info.format,
      info.channels > 2 ? "colour" : "grey",
      Math.max(info.width, info.height) <= GALLERY_SIDE
        ? "small"
        : info.height > info.width
        ? "portrait"
        : "landscape",
    ].join(" ");
    if (!kinds.has(kind)) kinds.set(kind, r);
    if (kinds.size >= 8) break;
  }
  assertTrue(kinds.size >= 3, `only ${[...kinds.keys()]} among the sources`);
  for (const [i, [kind, record]] of [...kinds].entries()) {
    const name = `${i}.png`;
    const copy = await writeGalleryCopy(record, dir.path, name);
    const check = await copyMatchesSource(join(dir.path, copy.file), record.path);
    assertEquals(check.size, check.expected, `${kind} ${record.imageId}: size`);
    assertEquals([copy.width, copy.height], check.expected, `${kind}: the size it reports`);
    assertTrue(check.r >= 0.99, `${kind} ${record.imageId}: correlation ${check.r}`);
  }
});
