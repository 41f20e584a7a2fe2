/**
 * COVID-19 collections from hospitals the training collection does not hold, for external
 * validation: Figure1 and Actualmed (both public, both drawn on by COVID-Net's COVIDx), in
 * `<data root>/external/<name>/` with the upstream layout (`metadata.csv`, `images/`) — where
 * the data step fetches them (`datasets/external.ts`: sources, pins, plan).
 *
 * The task there is COVID-19 against "No finding" (the only negatives these collections label):
 * rows without a finding are unlabelled and rows with another finding (pneumonia) belong to
 * neither class; both are reported skips, as are images named in the metadata but not on disk
 * (the shared copy of Actualmed holds 54 of its 238 images). Nothing here is ever trained or
 * tuned on.
 * @module
 */
import { join } from "node:path";
import { readCsv } from "./_csv.ts";
import { filesIn, safeChild } from "./_files.ts";
import { dataRoot } from "../config.ts";
import { ACTUALMED, externalDir, FIGURE1 } from "./datasets/external.ts";
import type { SkippedRow, XrayRecord } from "./record.ts";
import { toVocabulary } from "./record.ts";

/** The external collections this project knows. */
export const EXTERNAL_COLLECTIONS = ["figure1", "actualmed"] as const;

/** One of them. */
export type ExternalName = typeof EXTERNAL_COLLECTIONS[number];

/** An external image with its binary label. */
export interface ExternalRecord extends XrayRecord {
  readonly covid: boolean;
  readonly collection: ExternalName;
}

/** What {@link loadExternal} returns. */
export interface ExternalDataset {
  readonly name: ExternalName;
  readonly records: ExternalRecord[];
  readonly skipped: SkippedRow[];
  readonly rows: number;
}

/** Folder of an external collection under a data root (where the data step fetches it). */
function externalFolder(name: ExternalName, root: string = dataRoot()): string {
  return externalDir(root, name === "figure1" ? FIGURE1 : ACTUALMED);
}

/**
 * Load one external collection: labelled rows (COVID-19 or No finding) whose image is on disk.
 * Figure1 names no file (its image is `<patientid>.<ext>`) and marks a patient's second film
 * with a letter (`COVID-00003a`, `COVID-00003b`): one patient. Actualmed names the file.
 * @throws Error naming the file when `metadata.csv` is missing or lacks a needed column
 */
export async function loadExternal(
  name: ExternalName,
  root: string = dataRoot(),
): Promise<ExternalDataset> {
  const dir = externalFolder(name, root);
  const metadataPath = join(dir, "metadata.csv");
  const table = await readCsv(metadataPath, {
    required: ["patientid", "finding", "view", "modality"],
    onMalformedRow: "skip",
  });
  const present = filesIn(join(dir, "images"));
  const byStem = new Map([...present].map((f) => [f.replace(/\.[^.]+$/, ""), f]));
  const skipped: SkippedRow[] = table.malformed.map((m) => ({
    file: m.file,
    line: m.line,
    reason: "malformed-row",
    detail: m.problem,
  }));
  const records: ExternalRecord[] = [];
  for (const { line, values: v } of table.rows) {
    const id = v.patientid.trim();
    const file = name === "actualmed" ? (v.imagename ?? "").trim() : byStem.get(id) ?? `${id}.jpg`;
    const base = { file: metadataPath, line, imageId: file, patientId: id };
    const finding = v.finding.trim();
    const safe = safeChild(join(dir, "images"), file);
    if (v.modality.trim() !== "X-ray") {
      skipped.push({ ...base, reason: "ct", detail: `modality "${v.modality}"` });
    } else if (v.view.trim() === "L") {
      skipped.push({ ...base, reason: "lateral-view", detail: `view "L"` });
    } else if (finding === "") {
      skipped.push({ ...base, reason: "unlabelled", detail: "no finding given" });
    } else if (finding !== "COVID-19" && finding.toLowerCase() !== "no finding") {
      skipped.push({ ...base, reason: "other-finding", detail: `"${finding}" is neither class` });
    } else if ("unsafe" in safe) {
      skipped.push({ ...base, reason: "unsafe-path", detail: safe.unsafe });
    } else if (!present.has(file)) {
      skipped.push({ ...base, reason: "missing-file", detail: `${safe.path} is not on disk` });
    } else {
      const covid = finding === "COVID-19";
      const findings = covid ? ["COVID-19"] : [];
      records.push({
        source: `external-${name}`,
        imageId: file,
        path: safe.path,
        // Figure1: "COVID-00003a" and "COVID-00003b" are two films of one patient
        patientId: name === "figure1" ? id.replace(/[a-z]$/, "") : id,
        view: v.view.trim() || "unknown",
        findings,
        findingText: finding,
        labels: toVocabulary(findings),
        covid,
        collection: name,
      });
    }
  }
  return { name, records, skipped, rows: table.rows.length + table.malformed.length };
}
