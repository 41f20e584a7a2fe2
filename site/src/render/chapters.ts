/**
 * The chapters of the report: the executed notebooks, in order. The folder is
 * `XRAY_NOTEBOOKS_DIR` (default: the project's `notebooks/`), so a build can publish a
 * separate set of executed notebooks (CI builds from its smoke-profile run).
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { basename, join, resolve } from "node:path";
import { type NotebookFile, type RenderedChapter, renderNotebook } from "./notebook.ts";

/**
 * Project root, from the site folder (Astro runs with the site as its root) — by the folder's
 * name: a checkout whose own name ends in "site" (say `wt-site`) is not the site folder.
 */
export const PROJECT_ROOT = resolve(process.cwd(), basename(process.cwd()) === "site" ? ".." : ".");

/** A chapter: its notebook file and rendered content. */
export interface Chapter extends RenderedChapter {
  readonly slug: string;
  readonly number: number;
  readonly file: string;
  readonly path: string;
  /** Profile and time of the run whose outputs are shown. */
  readonly execution?: { profile?: string; executedAt?: string; seconds?: number };
}

/** Folder of the executed notebooks to publish. */
export function notebooksDir(): string {
  const dir = process.env.XRAY_NOTEBOOKS_DIR;
  return dir ? resolve(PROJECT_ROOT, dir) : join(PROJECT_ROOT, "notebooks");
}

let cache: Promise<Chapter[]> | undefined;

/** All chapters in reading order (rendered once per build). */
export function loadChapters(): Promise<Chapter[]> {
  cache ??= (async () => {
    const dir = notebooksDir();
    const files = readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();
    const chapters: Chapter[] = [];
    for (const file of files) {
      const path = join(dir, file);
      const notebook = JSON.parse(readFileSync(path, "utf8")) as NotebookFile;
      const rendered = await renderNotebook(notebook);
      chapters.push({
        ...rendered,
        slug: file.replace(/\.ipynb$/, ""),
        number: Number(file.slice(0, 2)),
        file,
        path,
        execution: notebook.metadata?.xray?.execution,
      });
    }
    return chapters;
  })();
  return cache;
}
