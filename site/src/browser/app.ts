/// <reference lib="dom" />
/**
 * The "Try the model" page: pick a model and an image (file picker, drop, or the gallery), see
 * the score against the arm's threshold and test AUC, and the class activation map over the
 * model's input with an opacity slider. Everything runs here; the only requests go to the
 * site's own files (manifest, model, wasm binaries, gallery images).
 *
 * The page is always in one named state (`data-state` on the root: loading, ready, reading,
 * working, done, error), and what it shows belongs to one image: a new image clears the last
 * result at once, a refused file shows its reason where the result was, and a result that
 * arrives after the reader moved on to another image is dropped.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Rgba } from "../../../lib/data/preprocess.ts";
import { blendHeatmap, type ColourMap } from "../../../lib/explain/colour.ts";
import { BACKEND_ORDER, type BackendChoice, chooseBackend, useWasmFrom } from "./backends.ts";
import { decodeFile, InputError } from "./decode.ts";
import { camGrid, peakCell, type TryArm, type TryImage, type TryManifest } from "./manifest.ts";
import { loadPublishedModel } from "./model.ts";
import { type BrowserPrediction, predictImage } from "./predict.ts";

/** The image the page is working on. */
interface Chosen {
  /** Increases with every image chosen: a result for an older one is dropped. */
  readonly ticket: number;
  readonly name: string;
  readonly rgba: Rgba;
  readonly gallery?: TryImage;
}

/** What the page shows after a prediction (also read by the tests, from `data-*`). */
interface Shown {
  readonly arm: TryArm;
  readonly image: Chosen;
  readonly prediction: BrowserPrediction;
  readonly ms: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (x: number, d = 2) => x.toFixed(d);

/** Start the page inside `root` (its `data-base` is the site's base path). */
export async function startTryPage(root: HTMLElement): Promise<void> {
  const base = `${root.dataset.base ?? "/"}try/`;
  const status = $("try-status"), error = $("try-error"), output = $("try-output");
  let model: { key: string; model: tf.LayersModel } | undefined;
  let image: Chosen | undefined;
  let shown: Shown | undefined;
  let tickets = 0;
  let busy = Promise.resolve();
  const say = (text: string) => (status.textContent = text);
  const setState = (state: string) => (root.dataset.state = state);
  // the last result goes as soon as anything else is asked of the page
  const clearResult = () => {
    output.hidden = true;
    $("try-result").replaceChildren();
    $("try-warning").hidden = true;
    for (const key of ["score", "peak", "arm", "image", "ms"]) delete root.dataset[key];
    shown = undefined;
  };
  // a problem shown where the result would be, and said in the status line
  const fail = (text: string, subject?: string) => {
    clearResult();
    error.textContent = text;
    error.hidden = false;
    if (subject !== undefined) root.dataset.image = subject;
    say(subject ? `Could not use ${subject}: see below.` : "Something went wrong: see below.");
    setState("error");
    reveal(error);
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

  const startBackend = async () => {
    const wanted = backendSelect.value === "auto"
      ? undefined
      : backendSelect.value as BackendChoice;
    say("Choosing where the model runs…");
    const outcome = await chooseBackend(wanted, { probeAll: params.get("probe") === "all" });
    const notes = [
      ...outcome.software.map((s) => `${s.name} runs on the CPU here (${s.device}): passed over`),
      ...(outcome.unavailable.length ? [`not available: ${outcome.unavailable.join(", ")}`] : []),
    ];
    const measured = Object.entries(outcome.probe)
      .map(([name, ms]) => `${name} ${ms!.toFixed(0)} ms`).join(", ");
    if (measured) notes.push(`probe: ${measured}`);
    $("try-backend-used").textContent = `${outcome.name}${
      notes.length ? ` (${notes.join("; ")})` : ""
    }`;
    root.dataset.backend = outcome.name;
    root.dataset.probe = JSON.stringify(outcome.probe);
  };

  const currentArm = () => {
    const key = (document.querySelector('input[name="try-arm"]:checked') as HTMLInputElement)
      ?.value;
    return manifest.arms.find((a) => a.key === key) ??
      manifest.arms.find((a) => a.key === manifest.defaultArm) ?? manifest.arms[0];
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
      const chosen = image;
      if (!chosen) return;
      const arm = currentArm();
      clearResult();
      error.hidden = true;
      root.dataset.image = chosen.name;
      setState("working");
      try {
        const loaded = await ensureModel(arm);
        if (chosen.ticket !== tickets) return; // another image was chosen meanwhile
        say(`Scoring ${chosen.name} with ${arm.label}…`);
        const started = performance.now();
        const prediction = await predictImage(loaded, arm.arch, arm.side, chosen.rgba);
        const ms = performance.now() - started;
        if (chosen.ticket !== tickets) return;
        shown = { arm, image: chosen, prediction, ms };
        render();
        say(`Scored ${chosen.name} with ${arm.label} in ${ms.toFixed(0)} ms.`);
        setState("done");
        reveal(output);
      } catch (e) {
        if (chosen.ticket === tickets) fail(e instanceof Error ? e.message : String(e));
      }
    });

  const render = () => {
    if (!shown) return;
    const { arm, prediction, image: { name, gallery, rgba }, ms } = shown;
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
    $("try-image-name").textContent = name;
    const positive = score >= arm.threshold;
    const peak = peakCell(heat, side);
    const grid = camGrid(side);
    Object.assign(root.dataset, {
      score: String(score),
      peak: peak.join(","),
      arm: arm.key,
      image: name,
      ms: ms.toFixed(0),
    });
    const small = Math.min(rgba.width, rgba.height) < side;
    const warning = $("try-warning");
    warning.hidden = !small;
    warning.textContent = small
      ? `${name} is only ${rgba.width}×${rgba.height} pixels, smaller than the model's ` +
        `${side}×${side} input: it was enlarged, so the model sees interpolated pixels and the ` +
        "score says even less than usual."
      : "";
    const rows: [string, string][] = [
      [
        "Image",
        gallery
          ? `${name}: gallery image, ${gallery.covid ? "COVID-19" : gallery.finding}, ` +
            `${gallery.view} view (original ${gallery.imageId}, ` +
            `${gallery.original.width}×${gallery.original.height} px)`
          : `${name}, ${rgba.width}×${rgba.height} px`,
      ],
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
        `${arm.test.images} test images of ${arm.test.patients} patients (${arm.run})`,
      ],
      [
        "The arm in chapter 3",
        `mean ${fmt(arm.overRuns.mean)} (${fmt(arm.overRuns.lo)}–${fmt(arm.overRuns.hi)}) over ` +
        `${arm.overRuns.runs} ${arm.overRuns.unit}` +
        (arm.learned ? "" : " — did not learn: no evidence this arm learned anything"),
      ],
      [
        "CAM peak",
        `row ${peak[0] + 1}, column ${peak[1] + 1} of the ${grid}×${grid} grid of the model's ` +
        `last feature map (one cell per ${side / grid} px)`,
      ],
    ];
    if (gallery) {
      rows.push(["True label", gallery.covid ? "COVID-19" : `not COVID-19 (${gallery.finding})`]);
      const copy = gallery.predictions[arm.key], original = gallery.originalPredictions[arm.key];
      if (copy) {
        rows.push([
          "The library on this copy (at build)",
          `${fmt(copy.score, 4)} (difference ${Math.abs(copy.score - score).toExponential(1)}); ` +
          `CAM peak row ${copy.peak[0] + 1}, column ${copy.peak[1] + 1}`,
        ]);
      }
      if (original) {
        rows.push([
          "The library on the original file",
          `${fmt(original.score, 4)} (deno task predict on ${gallery.imageId}, ` +
          `${gallery.original.width}×${gallery.original.height} px)`,
        ]);
      }
    }
    rows.push(["Time", `${ms.toFixed(0)} ms on ${root.dataset.backend}`]);
    $("try-result").replaceChildren(...rows.flatMap(([term, value]) => {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = term;
      dd.textContent = value;
      return [dt, dd];
    }));
    output.hidden = false;
  };

  const useFile = async (file: File, gallery?: TryImage) => {
    const ticket = ++tickets;
    image = undefined;
    clearResult();
    error.hidden = true;
    setState("reading");
    root.dataset.image = file.name;
    say(`Reading ${file.name}…`);
    try {
      const rgba = await decodeFile(file);
      if (ticket !== tickets) return;
      image = { ticket, rgba, name: file.name, gallery };
    } catch (e) {
      if (ticket !== tickets) return;
      const reason = e instanceof InputError ? e.message : `${file.name}: ${(e as Error).message}`;
      return fail(reason, file.name);
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
      const name = item.file.split("/").pop()!;
      const ticket = ++tickets;
      clearResult();
      setState("reading");
      say(`Fetching ${name}…`);
      const response = await fetch(`${base}${item.file}`).catch(() => undefined);
      if (ticket !== tickets) return;
      if (!response?.ok) {
        return fail(
          `${base}${item.file} could not be loaded (${
            response ? `HTTP ${response.status}` : "no connection"
          }).`,
          name,
        );
      }
      const blob = await response.blob();
      if (ticket !== tickets) return;
      useFile(new File([blob], name, { type: "image/png" }), item);
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
    setState("ready");
    say("Ready: choose an image.");
  }
}

// Bring a result or a message into view, under its section's heading (on a phone the result
// sits far below the inputs), and move the keyboard focus there, so a screen reader reads it next.
function reveal(element: HTMLElement): void {
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.top > innerHeight - 120) {
    const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;
    (document.getElementById("result") ?? element).scrollIntoView({
      block: "start",
      behavior: reduced ? "auto" : "smooth",
    });
  }
  element.focus({ preventScroll: true });
}
