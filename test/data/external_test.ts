/**
 * The external collections' loader on a fixture: labelled rows kept, unlabelled and other
 * findings and missing files reported as skips, Figure1's lettered second films one patient,
 * a metadata file in Windows-1252 read; and copies of training images found by content.
 */
import { assertEquals, assertTrue } from "../assert.ts";
import { join } from "node:path";
import sharp from "sharp";
import { copiesOf } from "../../lib/data/duplicates.ts";
import { loadExternal } from "../../lib/data/external.ts";
import type { XrayRecord } from "../../lib/data/record.ts";
import { tempDir } from "../helpers.ts";

// a grey X-ray-like picture: a gradient with a dark blob whose place depends on `seed`
async function xray(path: string, seed: number, format: "jpeg" | "png", width = 200) {
  const data = new Uint8Array(width * width);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = [x / width, y / width]; // the same picture at any size
      const blob = Math.hypot(u - 0.2 - seed * 0.15, v - 0.3 - seed * 0.09) < 0.15 ? 120 : 0;
      data[y * width + x] = Math.max(0, Math.round((255 * x) / width) - blob);
    }
  }
  const img = sharp(data, { raw: { width, height: width, channels: 1 } });
  await (format === "jpeg" ? img.jpeg({ quality: 85 }) : img.png()).toFile(path);
}

Deno.test("external loader: labelled rows, reported skips, Figure1 patients, Windows-1252", async () => {
  await using root = await tempDir();
  const dir = join(root.path, "external", "figure1");
  await Deno.mkdir(join(dir, "images"), { recursive: true });
  for (const [name, seed] of [["COVID-00001", 0], ["COVID-00003a", 1], ["COVID-00003b", 2]]) {
    await xray(join(dir, "images", `${name}.jpg`), seed as number, "jpeg");
  }
  await xray(join(dir, "images", "COVID-00004.jpg"), 3, "jpeg");
  const csv = "patientid,offset,sex,age,finding,view,modality,notes\n" +
    "COVID-00001,,M,50,COVID-19,AP erect,X-ray,temp 38\xb0C\n" + // ° in Windows-1252
    "COVID-00003a,,F,40,COVID-19,,X-ray,\n" +
    "COVID-00003b,,F,40,No finding,PA,X-ray,\n" +
    "COVID-00004,,F,40,,PA,X-ray,no label\n" +
    "COVID-00005,,F,40,Pneumonia,PA,X-ray,\n" +
    "COVID-00006,,F,40,COVID-19,PA,X-ray,file absent\n";
  await Deno.writeFile(join(dir, "metadata.csv"), Uint8Array.from(csv, (c) => c.charCodeAt(0)));
  const loaded = await loadExternal("figure1", root.path);
  assertEquals(loaded.records.map((r) => [r.imageId, r.patientId, r.covid, r.view]), [
    ["COVID-00001.jpg", "COVID-00001", true, "AP erect"],
    ["COVID-00003a.jpg", "COVID-00003", true, "unknown"],
    ["COVID-00003b.jpg", "COVID-00003", false, "PA"],
  ]);
  assertEquals(loaded.skipped.map((s) => s.reason), [
    "unlabelled",
    "other-finding",
    "missing-file",
  ]);
  assertEquals(loaded.rows, 6);
});

Deno.test("copies of training images are found by content, other images are not", async () => {
  await using root = await tempDir();
  const rec = (name: string): XrayRecord => ({
    source: "t",
    imageId: name,
    path: join(root.path, name),
    patientId: name,
    view: "PA",
    findings: [],
    findingText: "",
    labels: [],
  });
  await xray(join(root.path, "train.png"), 0, "png", 300);
  await xray(join(root.path, "other.png"), 2, "png", 300);
  await xray(join(root.path, "copy.jpg"), 0, "jpeg", 180); // re-encoded and resized
  await xray(join(root.path, "new.jpg"), 3, "jpeg", 180);
  const copies = await copiesOf([rec("copy.jpg"), rec("new.jpg")], [
    rec("train.png"),
    rec("other.png"),
  ]);
  assertEquals(copies.map((c) => [c.record.imageId, c.of.imageId]), [["copy.jpg", "train.png"]]);
  assertTrue(copies[0].correlation > 0.97);
});
