import { assertEquals, assertRejects } from "../assert.ts";
import { join } from "node:path";
import { loadCovid } from "../../lib/data/datasets/mod.ts";
import { covidLungMask } from "../../lib/data/datasets/covid.ts";
import { CsvError } from "../../lib/data/_csv.ts";
import { countByReason } from "../../lib/data/record.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

const DIR = join(DATA_ROOT, "covid-chestxray");

Deno.test("real data: COVID-19 collection on the real data: 559 frontal images present, 427/104/28", async () => {
  const data = await loadCovid({ dir: DIR });
  assertEquals(data.rows, 751);
  const todo = data.skipped.filter((s) => s.reason === "todo");
  assertEquals(data.records.length + todo.length, 559);
  assertEquals(data.records.filter((r) => r.covid).length, 427);
  assertEquals(data.records.filter((r) => !r.covid).length, 104);
  assertEquals(todo.length, 28);
  const patients = new Set([...data.records, ...todo].map((r) => r.patientId));
  assertEquals(patients.size, 329);
  // every one of the 751 rows is either kept or reported with a reason
  assertEquals(data.records.length + data.skipped.length, 751);
  assertEquals(countByReason(data.skipped), {
    ct: 84,
    "lateral-view": 58,
    "unknown-view": 39,
    "missing-file": 11,
    todo: 28,
  });
  const ards = data.records.find((r) => r.findingText === "COVID-19, ARDS")!;
  assertEquals(ards.findings, ["COVID-19", "ARDS"]);
  assertEquals(ards.covid, true);
});

Deno.test("COVID-19 loader: a missing required column is a clear error", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    join(dir.path, "metadata.csv"),
    "patientid,finding,view\n1,COVID-19,PA\n",
  );
  await assertRejects(
    () => loadCovid({ dir: dir.path }),
    CsvError,
    'required columns "modality", "folder", "filename" missing',
  );
});

Deno.test("COVID-19 loader: malformed rows and absent files are reported, not dropped", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "images"));
  await Deno.writeFile(join(dir.path, "images", "a.png"), new Uint8Array([1]));
  const csv = "patientid,finding,view,modality,folder,filename\n" +
    "1,COVID-19,PA,X-ray,images,a.png\n" +
    "2,COVID-19,PA,X-ray\n" + // malformed: too few fields
    "3,Pneumonia,AP,X-ray,images,gone.png\n" +
    "4,todo,AP Supine,X-ray,images,a.png\n" +
    "5,SARS,?,X-ray,images,a.png\n";
  await Deno.writeTextFile(join(dir.path, "metadata.csv"), csv);
  const data = await loadCovid({ dir: dir.path });
  assertEquals(data.records.map((r) => r.patientId), ["1"]);
  assertEquals(data.skipped.map((s) => [s.line, s.reason]), [
    [3, "malformed-row"],
    [4, "missing-file"],
    [5, "todo"],
    [6, "unknown-view"],
  ]);
  await assertRejects(
    () => loadCovid({ dir: dir.path, onMalformedRow: "error" }),
    CsvError,
    "line 3",
  );
});

Deno.test("COVID-19 loader: a file name that leads out of the dataset folder is an unsafe-path skip", async () => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  await Deno.mkdir(join(dir.path, "images"));
  await Deno.writeFile(join(dir.path, "images", "a.png"), new Uint8Array([1]));
  await Deno.writeTextFile(join(outside.path, "secret.png"), "not yours");
  await Deno.symlink(join(outside.path, "secret.png"), join(dir.path, "images", "link.png"));
  const csv = "patientid,finding,view,modality,folder,filename\n" +
    "1,COVID-19,PA,X-ray,images,a.png\n" +
    "2,COVID-19,PA,X-ray,images,../../../../etc/passwd\n" +
    "3,COVID-19,PA,X-ray,images,/etc/passwd\n" +
    "4,COVID-19,PA,X-ray,images,..\n" +
    "5,COVID-19,PA,X-ray,images,link.png\n";
  await Deno.writeTextFile(join(dir.path, "metadata.csv"), csv);
  const data = await loadCovid({ dir: dir.path });
  assertEquals(data.records.map((r) => r.patientId), ["1"]);
  assertEquals(data.skipped.map((s) => [s.line, s.reason]), [
    [3, "unsafe-path"],
    [4, "unsafe-path"],
    [5, "unsafe-path"],
    [6, "unsafe-path"],
  ]);
  // the reason names the problem, and no record points outside the folder
  if (!data.skipped[0].detail.includes("would lead outside")) {
    throw new Error(data.skipped[0].detail);
  }
  if (!data.skipped[3].detail.includes("symbolic link")) throw new Error(data.skipped[3].detail);
});

Deno.test("COVID-19 lung masks: a data root without annotations gives no mask, not a crash", async () => {
  await using empty = await tempDir();
  const covid = await loadCovid();
  const withMask = covid.records.slice(0, 40);
  const real = await Promise.all(withMask.map((r) => covidLungMask(r, 16)));
  assertEquals(real.some((m) => m !== undefined), true);
  const warn = console.warn;
  const warned: string[] = [];
  console.warn = (line: string) => warned.push(line);
  try {
    const none = await Promise.all(withMask.map((r) => covidLungMask(r, 16, empty.path)));
    assertEquals(none.every((m) => m === undefined), true);
  } finally {
    console.warn = warn;
  }
  assertEquals(warned.length, 1); // the missing box file is said once, by name
  assertEquals(warned[0].includes("imageannotation_ai_lung_bounding_boxes.json"), true);
});
