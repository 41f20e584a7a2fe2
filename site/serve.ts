/**
 * `deno task serve`: serve the built report on 127.0.0.1 under its base path.
 * Usage: deno task serve [--port 4321] [--dir site/dist]   (base path: XRAY_SITE_BASE)
 * @module
 */
import { extname, join, normalize } from "node:path";
import { parseArgs } from "node:util";
import { env } from "../lib/config.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".ipynb": "application/x-ipynb+json",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** Serve `dir` at `base` on 127.0.0.1; returns the server (shut it down when done). */
export function serveSite(dir: string, options: { base?: string; port?: number } = {}) {
  const base = ("/" + (options.base ?? "/").replace(/^\/|\/$/g, "") + "/").replace("//", "/");
  return Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen() {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (!path.startsWith(base) && path + "/" !== base) {
        return new Response("not found", { status: 404 });
      }
      let file = join(dir, normalize(path.slice(base.length - 1)).replace(/^(\.\.[/\\])+/, ""));
      try {
        if ((await Deno.stat(file)).isDirectory) file = join(file, "index.html");
        const body = await Deno.readFile(file);
        return new Response(body, {
          headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string", default: "4321" }, dir: { type: "string" } },
  });
  const dir = values.dir ?? join(import.meta.dirname!, "dist");
  const base = env("XRAY_SITE_BASE") ?? "/";
  const server = serveSite(dir, { base, port: Number(values.port) });
  console.log(`Serving ${dir} at http://127.0.0.1:${server.addr.port}${base}`);
}
