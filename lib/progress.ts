/**
 * Progress for long work (downloads, decoding, epochs): a live bar in a notebook, a redrawn
 * line in a terminal, and a line per 10% in logs (CI), all with rate and ETA.
 * @module
 */
import { inNotebook, show } from "./viz/display.ts";

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
    const speed = `${this.#fmt(rate)}/s`;
    const time = this.#done >= this.#total ? `in ${clock(seconds)}` : `ETA ${clock(eta)}`;
    return `${this.#label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${amount} ` +
      `${speed} ${time}${note ? " — " + note : ""}`;
  }

  #draw(final: boolean, note = ""): void {
    const line = this.text(note || this.note);
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
    if (this.#unit !== "B") {
      const v = Number.isInteger(n) ? String(n) : n.toFixed(1);
      return this.#unit ? `${v} ${this.#unit}` : v;
    }
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
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
