/**
 * Execute a notebook with Jupyter (nbconvert/nbclient) and the Deno kernel, and turn a cell
 * error into an exception that names the notebook, the cell and the error.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { env, type ProfileName } from "../config.ts";
import { type CacheInputs, executionKey, readStamp, writeStamp } from "./cache.ts";

/** A cell raised an error while the notebook ran. */
export class NotebookError extends Error {
  constructor(
    readonly notebook: string,
    readonly cell: number,
    readonly ename: string,
    readonly evalue: string,
  ) {
    super(`${notebook}: cell ${cell} raised ${ename}: ${evalue}`);
    this.name = "NotebookError";
  }
}

/** Options for {@link executeNotebook}. */
export interface ExecuteOptions {
  readonly profile: ProfileName;
  /** Where to write the executed notebook (default: replace the input on success). */
  readonly output?: string;
  /** Per-cell timeout in seconds. */
  readonly cellTimeoutSeconds: number;
  /** Extra environment for the kernel (e.g. XRAY_DATA_DIR). */
  readonly env?: Record<string, string>;
}

/** Minimal notebook JSON shape this module reads. */
interface NotebookJson {
  cells: {
    cell_type: string;
    source?: string | string[];
    outputs?: { output_type: string; ename?: string; evalue?: string }[];
  }[];
}

/**
 * Run every cell in order. The executed copy is written to a temporary file first and only
 * moved to `output` when no cell failed, so a failed run never overwrites good outputs.
 * @throws NotebookError for the first cell that raised, with its 1-based code-cell number.
 */
export async function executeNotebook(path: string, options: ExecuteOptions): Promise<string> {
  const output = options.output ?? path;
  const tmpDir = await Deno.makeTempDir({ prefix: "xray-nb-" });
  const executed = join(tmpDir, basename(output));
  try {
    const cmd = new Deno.Command(await jupyterPython(), {
      args: ["-c", DRIVER, path, executed, String(options.cellTimeoutSeconds)],
      cwd: dirname(path),
      env: {
        ...options.env,
        JUPYTER_PATH: await kernelSpecDir(tmpDir),
        XRAY_PROFILE: options.profile,
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    });
    const result = await cmd.output();
    const events = new TextDecoder().decode(result.stdout).trim().split("\n")
      .filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as DriverEvent);
    const end = events.at(-1);
    if (end?.event === "died" || end?.event === "timeout") {
      const notebook = JSON.parse(await Deno.readTextFile(path)) as NotebookJson;
      throw new KernelDiedError(path, notebook, end.cell ?? -1, end.event === "timeout");
    }
    if (!result.success || end?.event !== "done") {
      const stderr = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-15)
        .join("\n");
      throw new Error(`${path}: executing the notebook failed (exit ${result.code}):\n${stderr}`);
    }
    const notebook = JSON.parse(await Deno.readTextFile(executed)) as NotebookJson;
    firstError(path, notebook);
    await Deno.copyFile(executed, output);
    return output;
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
}

/** The kernel process ended mid-cell (killed, out of memory) or a cell ran past its time. */
export class KernelDiedError extends Error {
  constructor(
    readonly notebook: string,
    json: NotebookJson,
    /** 0-based index among all cells; -1 when unknown. */
    readonly cellIndex: number,
    readonly timedOut: boolean,
  ) {
    const code = json.cells.slice(0, cellIndex + 1).filter((c) => c.cell_type === "code").length;
    const heading = json.cells.slice(0, Math.max(0, cellIndex)).reverse()
      .filter((c) => c.cell_type === "markdown")
      .map((c) => sourceText(c).split("\n").find((l) => l.startsWith("#")))
      .find((h) => h !== undefined)?.replace(/^#+\s*/, "");
    const where = cellIndex >= 0
      ? `cell ${code}${heading ? ` (under "${heading}")` : ""}`
      : "an unknown cell";
    super(
      `${basename(notebook)}, ${where}: ` +
        (timedOut ? "the cell ran past its time limit (XRAY_CELL_TIMEOUT)" : "the kernel died " +
          "(killed or out of memory)") +
        "; run the same command again to resume from the last checkpoint",
    );
    this.name = "KernelDiedError";
  }
}

interface DriverEvent {
  event: "start" | "done" | "died" | "timeout";
  cell?: number;
}

// nbclient (what `jupyter nbconvert --execute` runs) driven directly, so that the cell running
// when the kernel dies is known: one JSON line per event on stdout.
const DRIVER = `
import json, sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
src, out, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
nb = nbformat.read(src, as_version=4)
state = {"cell": None}
def start(cell, cell_index, **_):
    state["cell"] = cell_index
    print(json.dumps({"event": "start", "cell": cell_index}), flush=True)
client = NotebookClient(nb, timeout=timeout, kernel_name="deno", allow_errors=True,
                        resources={"metadata": {"path": "."}}, on_cell_start=start)
try:
    client.execute()
except DeadKernelError:
    print(json.dumps({"event": "died", "cell": state["cell"]}), flush=True)
    sys.exit(3)
except CellTimeoutError:
    print(json.dumps({"event": "timeout", "cell": state["cell"]}), flush=True)
    sys.exit(4)
nbformat.write(nb, out)
print(json.dumps({"event": "done"}), flush=True)
`;

/**
 * A Jupyter data folder holding a "deno" kernelspec that runs this very Deno, placed first on
 * JUPYTER_PATH. The user-wide kernelspec names whichever checkout installed it last, so another
 * checkout (or a deleted one) would otherwise run our notebooks with its Deno.
 */
async function kernelSpecDir(tmpDir: string): Promise<string> {
  const dir = join(tmpDir, "jupyter");
  const spec = {
    argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
  };
  await Deno.mkdir(join(dir, "kernels", "deno"), { recursive: true });
  await Deno.writeTextFile(join(dir, "kernels", "deno", "kernel.json"), JSON.stringify(spec));
  const inherited = env("JUPYTER_PATH");
  return inherited ? `${dir}:${inherited}` : dir;
}

// The Python that runs Jupyter (Debian's, beside /usr/bin/jupyter), or XRAY_JUPYTER_PYTHON.
async function jupyterPython(): Promise<string> {
  const chosen = env("XRAY_JUPYTER_PYTHON");
  if (chosen) return chosen;
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const ok = await new Deno.Command(candidate, { args: ["-c", "import nbclient"] }).output()
      .then((r) => r.success, () => false);
    if (ok) return candidate;
  }
  throw new Error(
    "no Python with nbclient found: install Jupyter (sudo apt-get install jupyter-nbconvert " +
      "python3-nbclient jupyter-client) or set XRAY_JUPYTER_PYTHON",
  );
}

function sourceText(cell: { source?: string | string[] }): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source ?? "";
}

function firstError(path: string, notebook: NotebookJson): void {
  let codeCell = 0;
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "code") continue;
    codeCell++;
    const error = cell.outputs?.find((o) => o.output_type === "error");
    if (error) {
      throw new NotebookError(path, codeCell, error.ename ?? "Error", error.evalue ?? "");
    }
  }
}

/** The notebooks of the project, in reading order. */
export async function listNotebooks(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /^\d\d-.*\.ipynb$/.test(e.name)) names.push(e.name);
  }
  return names.sort().map((n) => join(dir, n));
}

/** What happened to one notebook in {@link executeNotebooks}. */
export interface NotebookRun {
  readonly source: string;
  readonly output: string;
  readonly executed: boolean;
  /** Why it ran ("no previous run", "inputs changed", "forced") or was skipped ("cached"). */
  readonly reason: string;
  readonly seconds: number;
}

/** Options for {@link executeNotebooks}. */
export interface ExecuteAllOptions {
  readonly profile: ProfileName;
  readonly cellTimeoutSeconds: number;
  readonly cache: CacheInputs;
  /** Write executed notebooks here (default: in place). */
  readonly outDir?: string;
  readonly env?: Record<string, string>;
  /** Execute even when the cache says nothing changed. */
  readonly force?: boolean;
  /** Called after each notebook (for progress lines). */
  readonly onRun?: (run: NotebookRun) => void;
}

/**
 * Execute notebooks in order, skipping those whose code, library, profile and data are
 * unchanged since their last successful run. Stops at the first failing cell.
 */
export async function executeNotebooks(
  sources: readonly string[],
  options: ExecuteAllOptions,
): Promise<NotebookRun[]> {
  const runs: NotebookRun[] = [];
  if (options.outDir) await Deno.mkdir(options.outDir, { recursive: true });
  for (const source of sources) {
    const output = options.outDir ? join(options.outDir, basename(source)) : source;
    const key = await executionKey(source, options.cache);
    const stamp = await readStamp(output);
    let reason = !stamp ? "no previous run" : stamp.key !== key ? "inputs changed" : "";
    if (options.force) reason = "forced";
    const started = performance.now();
    if (reason) {
      await executeNotebook(source, { ...options, output });
      const seconds = (performance.now() - started) / 1000;
      await writeStamp(output, {
        key,
        profile: options.profile,
        executedAt: new Date().toISOString(),
        seconds: Math.round(seconds * 10) / 10,
      });
    }
    const run = {
      source,
      output,
      executed: reason !== "",
      reason: reason || "cached",
      seconds: (performance.now() - started) / 1000,
    };
    runs.push(run);
    options.onRun?.(run);
  }
  return runs;
}
