/// <reference lib="dom" />
/**
 * The "Try the model" page: pick a model and an image (file picker, drop, or the gallery), see
 * the score against the arm's threshold and test AUC, and the class activation map over the
 * model's input with an opacity slider. Everything runs here; the only requests go to the
 * site's own files (manifest, model, wasm binaries, gallery images).
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Rgba } from "../../../lib/data/preprocess.ts";
import { blendHeatmap, type ColourMap } from "../../../lib/explain/colour.ts";
import { BACKEND_ORDER, type BackendChoice, chooseBackend, useWasmFrom } from "./backends.ts";
import { decodeFile, InputError } from "./decode.ts";
import { peakCell, type TryArm, type TryImage, type TryManifest } from "./manifest.ts";
import { loadPublishedModel } from "./model.ts";
import { type BrowserPrediction, predictImage } from "./predict.ts";

/** What the page shows after a prediction (also read by the tests, from `data-*`). */
interface Shown {
  readonly arm: TryArm;
  readonly name: string;
  readonly prediction: BrowserPrediction;
  readonly gallery?: TryImage;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (x: number, d = 2) => x.toFixed(d);

/** Start the page inside `root` (its `data-base` is the site's base path). */
export async function startTryPage(root: HTMLElement): Promise<void> {
  const base = `${root.dataset.base ?? "/"}try/`;
  const status = $("try-status"), error = $("try-error");
  const say = (text: string) => (status.textContent = text);
  const fail = (text: string) => {
    error.textContent = text;
    error.hidden = false;
    root.dataset.state = "error";
  };
  let manifest: TryManifest;
  try {
    const response = await fetch(`${base}manifest.json`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    manifest = await response.json();
  } catch (e) {
    return fail(`${base}manifest.json could not be loaded (${(e as Error).message}).`);
  }
  useWasmFrom(`${base}${manifest.wasmDir}`);

  const backendSelect = $<HTMLSelectElement>("try-backend");
  const params = new URLSearchParams(location.search);
  const asked = params.get("backend") as BackendChoice | null;
  if (asked && BACKEND_ORDER.includes(asked)) backendSelect.value = asked;
  let model: { key: string; model: tf.LayersModel } | undefined;
  let image: { rgba: Rgba; name: string; gallery?: TryImage } | undefined;
  let shown: Shown | undefined;
  let busy = Promise.resolve();

  const startBackend = async () => {
    const wanted = backendSelect.value === "auto"
      ? undefined
      : backendSelect.value as BackendChoice;
    const outcome = await chooseBackend(wanted);
    const skipped = outcome.unavailable.length
      ? ` (not available here: ${outcome.unavailable.join(", ")})`
      : "";
    $("try-backend-used").textContent = `${outcome.name}${skipped}`;
    root.dataset.backend = outcome.name;
  };

  const currentArm = () => {
    const key = (document.querySelector('input[name="try-arm"]:checked') as HTMLInputElement)
      ?.value;
    return manifest.arms.find((a) => a.key === key) ?? manifest.arms[0];
  };

  const ensureModel = async (arm: TryArm) => {
    if (model?.key === arm.key) return model.model;
    model?.model.dispose();
    model = undefined;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const loaded = await loadPublishedModel(
      `${base}${arm.dir}`,
      arm.bytes,
      (done, total) => say(`Loading ${arm.label}: ${mb(done)} of ${mb(total)} MB…`),
    );
    model = { key: arm.key, model: loaded };
    return loaded;
  };

  const run = () =>
    busy = busy.then(async () => {
      if (!image) return;
      error.hidden = true;
      root.dataset.state = "working";
      try {
        const arm = currentArm();
        const loaded = await ensureModel(arm);
        say(`Scoring ${image.name} with ${arm.label}…`);
        const prediction = await predictImage(loaded, arm.arch, arm.side, image.rgba);
        shown = { arm, name: image.name, prediction, gallery: image.gallery };
        render();
        say(`Scored ${image.name}.`);
        root.dataset.state = "done";
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });

  const render = () => {
    if (!shown) return;
    const { arm, prediction, gallery, name } = shown;
    const { side, grey, heat, score } = prediction;
    const opacity = Number($<HTMLInputElement>("try-opacity").value);
    const map = $<HTMLSelectElement>("try-colours").value as ColourMap;
    const rgb = blendHeatmap(grey, heat, { map, opacity });
    const canvas = $<HTMLCanvasElement>("try-canvas");
    canvas.width = canvas.height = side;
    const pixels = new ImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      pixels.data.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      pixels.data[i * 4 + 3] = 255;
    }
    canvas.getContext("2d")!.putImageData(pixels, 0, 0);
    canvas.setAttribute(
      "aria-label",
      `Class activation map of ${arm.label} over ${name}, ${side} by ${side} pixels`,
    );
    const positive = score >= arm.threshold;
    const peak = peakCell(heat, side);
    Object.assign(root.dataset, {
      score: String(score),
      peak: peak.join(","),
      arm: arm.key,
      image: gallery?.file ?? name,
    });
    const rows: [string, string][] = [
      ["Model", arm.label],
      [
        "COVID-19 score",
        `${fmt(score, 4)} — ${positive ? "at or above" : "below"} the threshold ${
          fmt(arm.threshold, 3)
        }: ${positive ? "called COVID-19" : "called not COVID-19"}`,
      ],
      ["Threshold", `${fmt(arm.threshold, 3)}: ${arm.thresholdRule}`],
      [
        "This model's test AUC",
        `${fmt(arm.test.auc)} (95% CI ${fmt(arm.test.ci[0])}–${fmt(arm.test.ci[1])}) on ` +
        `${arm.test.images} test images of ${arm.test.patients} patients (split 0)` +
        (arm.learned ? "" : " — the interval includes 0.5: no evidence this model learned"),
      ],
      [
        "The arm over all splits",
        `mean ${fmt(arm.overSplits.mean)} (${fmt(arm.overSplits.lo)}–${fmt(arm.overSplits.hi)}), ` +
        `${arm.overSplits.splits} splits`,
      ],
      ["CAM peak", `row ${peak[0] + 1}, column ${peak[1] + 1} of a 7×7 grid`],
    ];
    if (gallery) {
      const deno = gallery.predictions[arm.key];
      rows.push(["True label", gallery.covid ? "COVID-19" : `not COVID-19 (${gallery.finding})`]);
      if (deno) {
        rows.push([
          "Deno-side score (at build)",
          `${fmt(deno.score, 4)} (difference ${Math.abs(deno.score - score).toExponential(1)}); ` +
          `CAM peak row ${deno.peak[0] + 1}, column ${deno.peak[1] + 1}`,
        ]);
      }
    }
    const list = $("try-result");
    list.replaceChildren(...rows.flatMap(([term, value]) => {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      return [dt, dd];
    }));
    $("try-output").hidden = false;
  };

  const useFile = async (file: File, gallery?: TryImage) => {
    error.hidden = true;
    root.dataset.state = "reading";
    try {
      say(`Reading ${file.name}…`);
      image = { rgba: await decodeFile(file), name: file.name, gallery };
    } catch (e) {
      image = undefined;
      return fail(e instanceof InputError ? e.message : `${file.name}: ${(e as Error).message}`);
    }
    run();
  };

  // the controls
  $<HTMLInputElement>("try-file").addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) useFile(file);
  });
  const drop = $("try-drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) useFile(file);
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-gallery]")) {
    button.addEventListener("click", async () => {
      const item = manifest.gallery.find((g) => g.file === button.dataset.gallery)!;
      const response = await fetch(`${base}${item.file}`);
      if (!response.ok) {
        return fail(`${base}${item.file} could not be loaded (HTTP ${response.status}).`);
      }
      const blob = await response.blob();
      useFile(new File([blob], item.file.split("/").pop()!, { type: "image/png" }), item);
    });
  }
  for (const radio of document.querySelectorAll('input[name="try-arm"]')) {
    radio.addEventListener("change", run);
  }
  $("try-opacity").addEventListener("input", render);
  $("try-colours").addEventListener("change", render);
  backendSelect.addEventListener("change", () => {
    busy = busy.then(async () => {
      model?.model.dispose();
      model = undefined;
      await startBackend();
    });
    run();
  });

  busy = busy.then(startBackend).catch((e) => fail((e as Error).message));
  await busy;
  if (root.dataset.state !== "error") {
    root.dataset.state = "ready";
    say("Ready: choose an image.");
  }
}
