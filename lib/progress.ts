/**
 * Progress for long work (downloads, decoding, epochs): a live bar in a notebook, a redrawn
 * line in a terminal, and a line per 10% in logs (CI), with rate and ETA.
 *
 * In a notebook, the work of one cell is one *activity* ({@link withActivity}): all its bars
 * draw into one line that updates in place and ends as a one-line summary, and all its training
 * runs share one table (a row per run, updated each epoch) — not a new line per bar.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { inNotebook, show } from "./display/mod.ts";
import { formatBytes } from "./format.ts";

/** One cell's long work, as shown in a notebook: a status line and a table of runs. */
class Activity {
  readonly #line = `xray-activity-${crypto.randomUUID()}`;
  readonly #table = `xray-runs-${crypto.randomUUID()}`;
  readonly #started = performance.now();
  readonly #rows = new Map<string, Record<string, string>>();
  readonly notes: string[] = [];
  #lineShown = false;
  #tableShown = false;
  #pending: Promise<void> = Promise.resolve();

  constructor(readonly label: string) {}

  /** Replace the status line. */
  status(text: string): Promise<void> {
    const update = this.#lineShown;
    this.#lineShown = true;
    this.#pending = this.#pending.then(() =>
      show({ "text/plain": text }, { displayId: this.#line, update })
    );
    return this.#pending;
  }

  /** Set a run's row of the shared table (columns in insertion order) and redraw it. */
  row(run: string, cells: Record<string, string>): Promise<void> {
    this.#rows.set(run, { run, ...cells });
    const rows = [...this.#rows.values()];
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const esc = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const html = `<table class="xray-table"><thead><tr>${
      columns.map((c) => `<th>${esc(c)}</th>`).join("")
    }</tr></thead><tbody>${
      rows.map((r) => `<tr>${columns.map((c) => `<td>${esc(r[c] ?? "")}</td>`).join("")}</tr>`)
        .join("")
    }</tbody></table>`;
    const text = rows.map((r) => columns.map((c) => r[c] ?? "").join("  ")).join("\n");
    const update = this.#tableShown;
    this.#tableShown = true;
    this.#pending = this.#pending.then(() =>
      show({ "text/html": html, "text/plain": text }, { displayId: this.#table, update })
    );
    return this.#pending;
  }

  /** End: the status line becomes a one-line summary. */
  finish(failed: boolean): Promise<void> {
    const seconds = (performance.now() - this.#started) / 1000;
    const notes = this.notes.length ? ` — ${this.notes.join("; ")}` : "";
    return this.status(
      `${this.label}: ${failed ? "stopped by an error" : "done"} in ${clock(seconds)}${notes}`,
    );
  }
}

const activities = new AsyncLocalStorage<Activity>();

/**
 * Run `work` as one activity: in a notebook, every progress bar inside it draws into one line
 * and every training run into one table; the line ends as a summary. Nested calls join the
 * activity already running. Outside a notebook it only runs `work`.
 */
export async function withActivity<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (activities.getStore() || !inNotebook()) return await work();
  const activity = new Activity(label);
  let failed = true;
  try {
    const result = await activities.run(activity, work);
    failed = false;
    return result;
  } finally {
    await activity.finish(failed);
  }
}

/** A run's row in the current activity's table (in a notebook); false when there is none. */
export function activityRow(run: string, cells: Record<string, string>): boolean {
  const activity = activities.getStore();
  if (!activity) return false;
  void activity.row(run, cells);
  return true;
}

/**
 * Say something worth keeping about the work (e.g. "resumed after epoch 3"): in a notebook
 * activity it joins the closing summary line; elsewhere it goes to stderr.
 */
export function note(message: string): void {
  const activity = activities.getStore();
  if (activity) activity.notes.push(message);
  else console.error(`[xray] ${message}`);
}

/** Options for {@link Progress}. */
export interface ProgressOptions {
  /** Unit shown after counts: "B" formats as bytes; anything else is shown as is. */
  readonly unit?: string;
  /** Where to draw. Default: notebook if in one, else terminal if stderr is one, else log. */
  readonly mode?: "notebook" | "terminal" | "log" | "silent";
}

let nextId = 0;

/** A progress indicator for `total` units of work. */
export class Progress {
  readonly #label: string;
  #total: number;
  readonly #unit: string;
  readonly #mode: NonNullable<ProgressOptions["mode"]>;
  readonly #started = performance.now();
  readonly #displayId = `xray-progress-${Deno.pid}-${nextId++}`;
  #done = 0;
  #lastDraw = -Infinity;
  #lastLoggedDecile = -1;
  #shown = false;
  #pending: Promise<void> = Promise.resolve();

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.#label = label;
    this.#total = Math.max(0, total);
    this.#unit = options.unit ?? "";
    this.#mode = options.mode ?? defaultMode();
  }

  /** A short note shown after the bar on the next draw (e.g. the running loss). */
  note = "";

  /** Units done so far. */
  get done(): number {
    return this.#done;
  }

  /** Change the total once it is known (e.g. from a Content-Length header). */
  setTotal(total: number): void {
    this.#total = Math.max(0, total);
  }

  /** Advance by `n` units. */
  tick(n = 1): void {
    this.set(this.#done + n);
  }

  /** Set the units done. Redraws at most 4 times a second. */
  set(done: number): void {
    this.#done = Math.min(done, this.#total || done);
    const now = performance.now();
    if (now - this.#lastDraw >= 250) {
      this.#lastDraw = now;
      this.#draw(false);
    }
  }

  /** Draw the final state (and an optional closing note); resolves once shown. */
  finish(note = ""): Promise<void> {
    this.#draw(true, note);
    return this.#pending;
  }

  /** One-line text of the current state. */
  text(note = ""): string {
    const frac = this.#total > 0 ? this.#done / this.#total : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? this.#done / seconds : 0;
    const eta = rate > 0 && this.#done < this.#total ? (this.#total - this.#done) / rate : 0;
    const amount = `${this.#fmt(this.#done)}/${this.#fmt(this.#total)}`;
    // a rate over a blink of time (work served from a cache) means nothing
    const speed = seconds >= 0.5 ? `${this.#fmt(rate)}/s` : "";
    const time = this.#done >= this.#total ? `in ${clock(seconds)}` : `ETA ${clock(eta)}`;
    return `${this.#label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${amount} ` +
      `${speed ? speed + " " : ""}${time}${note ? " — " + note : ""}`;
  }

  #draw(final: boolean, note = ""): void {
    const line = this.text(note || this.note);
    const activity = this.#mode === "notebook" ? activities.getStore() : undefined;
    if (activity) {
      this.#pending = activity.status(line);
      return;
    }
    switch (this.#mode) {
      case "notebook": {
        const update = this.#shown;
        this.#shown = true;
        // chain so updates arrive in order and finish() can await the last one
        this.#pending = this.#pending.then(() =>
          show({ "text/plain": line }, { displayId: this.#displayId, update })
        );
        break;
      }
      case "terminal":
        Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}${final ? "\n" : ""}`));
        break;
      case "log": {
        const decile = this.#total > 0 ? Math.floor((this.#done / this.#total) * 10) : 10;
        if (final || decile > this.#lastLoggedDecile) {
          this.#lastLoggedDecile = decile;
          console.error(line);
        }
        break;
      }
      case "silent":
        break;
    }
  }

  #fmt(n: number): string {
    if (this.#unit === "B") return formatBytes(n);
    const v = Number.isInteger(n) ? String(n) : n.toFixed(1);
    return this.#unit ? `${v} ${this.#unit}` : v;
  }
}

function defaultMode(): NonNullable<ProgressOptions["mode"]> {
  if (inNotebook()) return "notebook";
  try {
    return Deno.stderr.isTerminal() ? "terminal" : "log";
  } catch {
    return "log";
  }
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(r).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** One training epoch's numbers, as {@link epochTable} shows them. */
export interface EpochRow {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  /** Mean validation AUC over the outputs that have both classes (NaN if none has). */
  readonly valAuc: number;
  readonly learningRate: number;
  readonly seconds: number;
}

/**
 * A training run's epochs as a table that updates in place in a notebook (a row of the
 * current activity's table when inside one), a line in a terminal: pass it as the training
 * loop's `onEpoch`, which calls it with each epoch and the history so far.
 */
export function epochTable(
  label: string,
  epochs: number,
): (record: EpochRow, history: readonly EpochRow[]) => Promise<void> {
  const id = `xray-epochs-${crypto.randomUUID()}`;
  let shown = false;
  return async (r, rows) => {
    const line = `${label} epoch ${r.epoch + 1}/${epochs}: loss ${r.trainLoss.toFixed(4)}` +
      `, val loss ${r.valLoss.toFixed(4)}, val AUC ${r.valAuc.toFixed(3)}, lr ${
        r.learningRate.toExponential(1)
      } (${r.seconds.toFixed(0)} s)`;
    const html = `<table><thead><tr><th>epoch</th><th>train loss</th><th>val loss</th>` +
      `<th>val AUC</th><th>lr</th><th>s</th></tr></thead><tbody>${
        rows.map((x) =>
          `<tr><td>${x.epoch + 1}</td><td>${x.trainLoss.toFixed(4)}</td><td>${
            x.valLoss.toFixed(4)
          }</td><td>${x.valAuc.toFixed(3)}</td><td>${x.learningRate.toExponential(1)}</td><td>${
            x.seconds.toFixed(0)
          }</td></tr>`
        ).join("")
      }</tbody></table>`;
    const best = rows.reduce((b, x) => (x.valAuc > b.valAuc ? x : b));
    const inActivity = activityRow(label, {
      epoch: `${r.epoch + 1}/${epochs}`,
      "train loss": r.trainLoss.toFixed(4),
      "val loss": r.valLoss.toFixed(4),
      "val AUC": r.valAuc.toFixed(3),
      "best val AUC (epoch)": `${best.valAuc.toFixed(3)} (${best.epoch + 1})`,
      lr: r.learningRate.toExponential(1),
      "s/epoch": r.seconds.toFixed(0),
    });
    if (inActivity) return;
    const update = shown;
    shown = true;
    await show({ "text/html": html, "text/plain": line }, { displayId: id, update });
  };
}
