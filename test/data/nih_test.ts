import { assertEquals, assertRejects } from "../assert.ts";
import { join } from "node:path";
import { CsvError } from "../../lib/data/_csv.ts";
import { loadNih } from "../../lib/data/datasets/mod.ts";
import { imageSizeCensus } from "../../lib/data/summary.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

const DIR = join(DATA_ROOT, "nih-chestxray14");

Deno.test("real data: ChestX-ray14 on the real data: 112,120 rows, 1,667 images (996 at 64², 671 at 256²)", async () => {
  const data = await loadNih({ dir: DIR });
  assertEquals(data.rows, 112_120);
  assertEquals(data.records.length, 1_667);
  assertEquals(new Set(data.records.map((r) => r.patientId)).size, 902);
  assertEquals(data.rowsWithoutImage, 110_453);
  assertEquals(data.skipped, []);
  assertEquals(data.unlabelledImages, []);
  assertEquals(data.records.filter((r) => r.officialSplit === "train_val").length, 1_252);
  assertEquals(data.records.filter((r) => r.officialSplit === "test").length, 415);
  // checked with Python's csv module against Data_Entry_2017_v2020.csv
  assertEquals(data.records.filter((r) => r.findings.length === 0).length, 634);
  const testPatients = data.records.filter((r) => r.officialSplit === "test").map((r) =>
    r.patientId
  );
  assertEquals(new Set(testPatients).size, 107);
  const census = await imageSizeCensus(data.records.map((r) => r.path));
  assertEquals(census, [{ key: "64×64", count: 996 }, { key: "256×256", count: 671 }]);
  const first = data.records.find((r) => r.imageId === "00000001_001.png")!;
  assertEquals(first.findings, ["Cardiomegaly", "Emphysema"]);
  assertEquals(first.patientId, "1");
});

const HEADER =
  "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position\n";

async function fixture(dir: string, labelFile: string, rows: string) {
  await Deno.mkdir(join(dir, "images"));
  for (const f of ["a.png", "b.png", "c.png", "d.png"]) {
    await Deno.writeFile(join(dir, "images", f), new Uint8Array([1]));
  }
  await Deno.writeTextFile(join(dir, labelFile), HEADER + rows);
  await Deno.writeTextFile(join(dir, "train_val_list.txt"), "a.png\nb.png\nc.png\n");
  await Deno.writeTextFile(join(dir, "test_list.txt"), "d.png\n");
}

Deno.test("ChestX-ray14 loader: 2017 file name, blank fields, unknown labels, malformed rows", async () => {
  await using dir = await tempDir();
  await fixture(
    dir.path,
    "Data_Entry_2017.csv",
    "a.png,No Finding,0,7,,,PA\n" + // blank age and sex are allowed
      "b.png,Effusion|Bogus,0,8,40,F,AP\n" +
      "c.png,Hernia\n" +
      "d.png,Mass|Nodule,1,9,50,M,PA\n" +
      "zzz.png,Mass,0,10,50,M,PA\n",
  );
  const data = await loadNih({ dir: dir.path });
  assertEquals(data.records.map((r) => [r.imageId, r.findings, r.officialSplit, r.age]), [
    ["a.png", [], "train_val", undefined],
    ["d.png", ["Mass", "Nodule"], "test", 50],
  ]);
  assertEquals(data.skipped.map((s) => [s.line, s.reason]), [
    [4, "malformed-row"],
    [3, "unknown-finding"],
  ]);
  assertEquals(data.rowsWithoutImage, 1);
});

Deno.test("ChestX-ray14 loader: missing label file or column is a clear error", async () => {
  await using dir = await tempDir();
  await assertRejects(() => loadNih({ dir: dir.path }), CsvError, "Data_Entry_2017_v2020.csv or");
  await Deno.writeTextFile(join(dir.path, "Data_Entry_2017_v2020.csv"), "Image Index,Patient ID\n");
  await assertRejects(() => loadNih({ dir: dir.path }), CsvError, '"Finding Labels"');
});
