/** The leakage guard throws with the shared ids; excluding training patients leaves none. */
import { assertEquals, assertThrows } from "../assert.ts";
import { assertNoLeakage, excludeTrainingPatients, LeakageError } from "../../lib/data/leakage.ts";
import type { XrayRecord } from "../../lib/data/record.ts";

const record = (patientId: string, imageId: string): XrayRecord => ({
  source: "nih-chestxray14",
  imageId,
  path: `/data/${imageId}`,
  patientId,
  view: "PA",
  findings: [],
  findingText: "",
  labels: [],
});

Deno.test("leakage guard: throws naming the images and patients that trained the model", () => {
  const trained = [record("1", "1_a.png"), record("2", "2_a.png")];
  // the same image, and another image of a training patient
  const evaluated = [record("3", "3_a.png"), record("1", "1_a.png"), record("2", "2_b.png")];
  const e = assertThrows(() => assertNoLeakage(trained, evaluated, "maps"), LeakageError);
  assertEquals(e.images, ["nih-chestxray14/1_a.png"]);
  assertEquals(e.patients, ["nih-chestxray14/1", "nih-chestxray14/2"]);
  if (!e.message.startsWith("maps: 1 image(s) and 2 patient(s)")) throw new Error(e.message);
  // patients are per source: the same id in another dataset is another person
  const covid = { ...record("1", "x.png"), source: "covid-chestxray" as const };
  assertNoLeakage(trained, [covid], "other source");
});

Deno.test("excludeTrainingPatients keeps only patients the model never saw", () => {
  const trained = [record("1", "1_a.png")];
  const pool = [record("1", "1_b.png"), record("4", "4_a.png")];
  const unseen = excludeTrainingPatients(pool, trained);
  assertEquals(unseen.map((r) => r.imageId), ["4_a.png"]);
  assertNoLeakage(trained, unseen);
});
