/** A loopback file server for download tests, with faults to inject. @module */
import { join } from "node:path";

/** Faults and pacing of a {@link serve} server. */
export interface ServeOptions {
  /** Paths whose next response sends half the bytes, then drops the connection. */
  readonly cutOnce?: Set<string>;
  /** Paths whose every response sends half the bytes, then drops the connection. */
  readonly cutAlways?: Set<string>;
  /** Other bytes served, as a complete response, for a path (a corrupted mirror). */
  readonly replace?: Map<string, Uint8Array<ArrayBuffer>>;
  /** Wait this long before each response (a slow link, so a test can stop a run midway). */
  readonly delayMs?: number;
}

/**
 * A local file server over `routes` (URL prefix → folder) with HTTP Range support. `cutOnce`
 * names paths whose first response sends half the bytes and then drops the connection;
 * `replace` serves other bytes for a path (a corrupted mirror). Further faults in `options`.
 */
export function serve(
  routes: Record<string, string>,
  cutOnce: Set<string> = new Set(),
  replace: Map<string, Uint8Array<ArrayBuffer>> = new Map(),
  options: ServeOptions = {},
) {
  const once = new Set([...cutOnce, ...(options.cutOnce ?? [])]);
  const replaced = new Map([...replace, ...(options.replace ?? [])]);
  const requests: { path: string; range: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const range = req.headers.get("range");
    requests.push({ path, range });
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const prefix = Object.keys(routes).find((p) => path.startsWith(p));
    if (!prefix) return new Response("not found", { status: 404 });
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = replaced.get(path) ??
        await Deno.readFile(join(routes[prefix], path.slice(prefix.length)));
    } catch {
      return new Response("not found", { status: 404 });
    }
    let start = 0;
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= bytes.length) return new Response(null, { status: 416 });
    }
    const body = bytes.subarray(start);
    const headers = { "content-length": String(body.length) };
    if (once.delete(path) || options.cutAlways?.has(path)) {
      // send half, then fail the stream: the client sees a dropped connection
      const half = body.subarray(0, Math.floor(body.length / 2));
      const stream = new ReadableStream({
        start(c) {
          c.enqueue(half);
          setTimeout(() => c.error(new Error("connection cut by test")), 20);
        },
      });
      return new Response(stream, { status: m ? 206 : 200, headers });
    }
    return new Response(body, { status: m ? 206 : 200, headers });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  return { base, requests, [Symbol.asyncDispose]: () => server.shutdown() };
}
