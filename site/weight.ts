/**
 * Page weight: each built page's HTML plus the local files it references — scripts, styles and
 * images (fonts a stylesheet pulls in are not counted; the chapters' figures are inline data in
 * the HTML already). Files a page fetches on demand (the try-it page's models) are reported
 * separately by the build. Reported after every build, with a warning above 5 MB — a reader on
 * a phone pays for every byte.
 * @module
 */
import { join, relative } from "node:path";

/** Pages heavier than this are flagged. */
export const PAGE_WEIGHT_LIMIT = 5 * 1024 * 1024;

/** Bytes of every page of a built site, heaviest first. */
export async function pageWeights(outDir: string): Promise<{ page: string; bytes: number }[]> {
  const out: { page: string; bytes: number }[] = [];
  for (const file of await walk(outDir)) {
    if (!file.endsWith(".html")) continue;
    const html = await Deno.readTextFile(file);
    let bytes = new TextEncoder().encode(html).length;
    const refs = new Set(
      [...html.matchAll(/(?:href|src)="([^"#?:]+\.(?:css|js|png|jpg|svg))"/g)].map((m) => m[1]),
    );
    for (const ref of refs) {
      bytes += await Deno.stat(localFile(outDir, file, ref)).then((s) => s.size, () => 0);
    }
    out.push({ page: relative(outDir, file), bytes });
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** The weights as lines for the terminal, heaviest first, with warnings. */
export function weightLines(weights: readonly { page: string; bytes: number }[]): string[] {
  return weights.map(({ page, bytes }) =>
    `  ${(bytes / 1024 / 1024).toFixed(2).padStart(6)} MB  ${page}` +
    (bytes > PAGE_WEIGHT_LIMIT ? "  ← warning: over 5 MB" : "")
  );
}

// A reference in a page as a file of the built site: root-relative under any base path.
function localFile(outDir: string, page: string, ref: string): string {
  if (!ref.startsWith("/")) return join(page, "..", ref);
  const parts = ref.replace(/^\/+/, "").split("/");
  // strip the base path: the longest suffix of the reference that exists is under outDir
  for (let i = 0; i < parts.length; i++) {
    const candidate = join(outDir, ...parts.slice(i));
    try {
      Deno.statSync(candidate);
      return candidate;
    } catch { /* try a shorter suffix */ }
  }
  return join(outDir, ...parts);
}

async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) files.push(...await walk(path));
    else if (e.isFile) files.push(path);
  }
  return files;
}
