/**
 * The try-it page's pure parts, in Deno: reading an image header before decoding, the CAM peak
 * cell, and which test images may be published in the gallery.
 */
import { assertEquals } from "../assert.ts";
import { readHeader } from "../../site/src/try/decode.ts";
import { peakCell } from "../../site/src/try/manifest.ts";
import { pickGallery, SHAREABLE_LICENCES } from "../../site/try/gallery.ts";
import type { CovidRecord } from "../../lib/data/datasets/mod.ts";
import { encodeJpeg, encodePng } from "../fixtures.ts";

Deno.test("image headers: PNG size and depth, JPEG size past an EXIF block, non-images refused", async () => {
  assertEquals(readHeader(encodePng(300, 200, "grey", 16, () => 0.5)), {
    format: "png",
    width: 300,
    height: 200,
    bitDepth: 16,
  });
  const jpeg = await encodeJpeg(120, 90, { orientation: 6 });
  const header = readHeader(jpeg);
  assertEquals([header?.format, header?.width, header?.height], ["jpeg", 120, 90]);
  assertEquals(readHeader(new TextEncoder().encode("just some text")), undefined);
  assertEquals(readHeader(new Uint8Array()), undefined);
});

Deno.test("CAM peak: the cell of a 7×7 grid holding the largest value", () => {
  const side = 14, map = new Float32Array(side * side);
  map[13 * side + 0] = 1; // bottom-left pixel
  assertEquals(peakCell(map, side), [6, 0]);
  map[3 * side + 9] = 2; // row 3, column 9 → cell (1, 4)
  assertEquals(peakCell(map, side), [1, 4]);
});

Deno.test("gallery: shareable licences only, one image per patient, both classes", () => {
  const record = (i: number, covid: boolean, license: string, patient = `p${i}`) =>
    ({ imageId: `${i}.png`, patientId: patient, covid, license }) as unknown as CovidRecord;
  const test = [
    record(1, true, "CC BY 4.0"),
    record(2, true, "CC BY-NC-ND 4.0"), // no derivatives: a resized copy is one
    record(3, true, ""), // unknown terms
    record(4, true, "Apache 2.0", "p1"), // a second image of patient p1
    record(5, false, "CC BY-NC-SA"),
    record(6, false, "CC BY-SA"),
  ];
  const picked = pickGallery(test, 5);
  assertEquals(picked.map((r) => r.imageId), ["1.png", "5.png", "6.png"]);
  for (const r of picked) assertEquals(SHAREABLE_LICENCES.has(r.license), true);
  assertEquals(pickGallery(test, 1).map((r) => r.covid), [true, false]);
});
