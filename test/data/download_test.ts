import { assertEquals, assertRejects } from "../assert.ts";
import { join } from "node:path";
import { ChecksumError, downloadFile, sha256File } from "../../lib/data/download.ts";
import { downloadCovid, downloadNih, type DownloadSettings } from "../../lib/data/sources.ts";
import { loadCovid } from "../../lib/data/covid.ts";
import { loadNih } from "../../lib/data/nih.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

/**
 * A local file server over `routes` (URL prefix → folder) with HTTP Range support. `cutOnce`
 * names paths whose first response sends half the bytes and then drops the connection.
 */
function serve(routes: Record<string, string>, cutOnce: Set<string> = new Set()) {
  const requests: { path: string; range: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const range = req.headers.get("range");
    requests.push({ path, range });
    const prefix = Object.keys(routes).find((p) => path.startsWith(p));
    if (!prefix) return new Response("not found", { status: 404 });
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(join(routes[prefix], path.slice(prefix.length)));
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
    if (cutOnce.delete(path)) {
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

const COVID = join(DATA_ROOT, "covid-chestxray");
const NIH = join(DATA_ROOT, "nih-chestxray14");

Deno.test("download: a complete COVID-19 download loads like the original", async () => {
  await using dir = await tempDir();
  await using server = serve({ "/covid/": COVID });
  const settings: DownloadSettings = {
    root: dir.path,
    covidBaseUrl: `${server.base}/covid`,
    covidLimit: 40,
    nihArchives: 0,
  };
  const report = await downloadCovid(settings);
  // names in metadata.csv that the mirror lacks are reported (HTTP 404), not fatal
  const fetched = report.results.length - 1;
  assertEquals(fetched + report.failures.length, 40);
  for (const r of report.results.slice(1)) {
    const name = r.dest.split("/").pop()!;
    assertEquals(r.sha256, await sha256File(join(COVID, "images", name)));
  }
  const checksums = await Deno.readTextFile(join(dir.path, "covid-chestxray", "checksums.sha256"));
  assertEquals(checksums.trim().split("\n").length, fetched);
  const loaded = await loadCovid({ dir: join(dir.path, "covid-chestxray") });
  assertEquals(loaded.rows, 751);
  // a second run fetches nothing
  const again = await downloadCovid(settings);
  assertEquals(again.results.every((r) => r.status === "present"), true);
});

Deno.test("download: a dropped connection is retried and resumed with a Range request", async () => {
  await using dir = await tempDir();
  const name = "/nih/Data_Entry_2017_v2020.csv";
  await using server = serve({ "/nih/": NIH }, new Set([name]));
  const result = await downloadFile(
    { url: server.base + name, dest: join(dir.path, "labels.csv") },
    { retryDelayMs: 10 },
  );
  assertEquals(result.status, "downloaded");
  assertEquals(result.sha256, await sha256File(join(NIH, "Data_Entry_2017_v2020.csv")));
  const [first, second] = server.requests;
  assertEquals(first.range, null);
  if (!second?.range?.startsWith("bytes=") || second.range === "bytes=0-") {
    throw new Error(`second request should resume, got ${JSON.stringify(second)}`);
  }
});

Deno.test("download: a partial file left by an interrupted run is resumed", async () => {
  await using dir = await tempDir();
  await using server = serve({ "/nih/": NIH });
  const source = await Deno.readFile(join(NIH, "test_list.txt"));
  const dest = join(dir.path, "test_list.txt");
  await Deno.writeFile(`${dest}.part`, source.subarray(0, 1000));
  const result = await downloadFile({ url: `${server.base}/nih/test_list.txt`, dest });
  assertEquals(result.status, "resumed");
  assertEquals(server.requests[0].range, "bytes=1000-");
  assertEquals(await Deno.readFile(dest), source);
});

Deno.test("download: a checksum mismatch keeps the bytes aside and overwrites nothing", async () => {
  await using dir = await tempDir();
  await using server = serve({ "/nih/": NIH });
  const dest = join(dir.path, "train_val_list.txt");
  const wrong = "0".repeat(64);
  const e = await assertRejects(
    () => downloadFile({ url: `${server.base}/nih/train_val_list.txt`, dest, sha256: wrong }),
    ChecksumError,
    "SHA-256 mismatch",
  );
  assertEquals(e.keptAt, `${dest}.sha256-mismatch`);
  assertEquals(
    (await Deno.stat(e.keptAt!)).size,
    (await Deno.stat(join(NIH, "train_val_list.txt"))).size,
  );
  await assertRejects(() => Deno.stat(dest), Deno.errors.NotFound);
  // an existing file with the wrong hash is reported and left untouched
  await Deno.writeTextFile(dest, "precious");
  await assertRejects(
    () => downloadFile({ url: `${server.base}/nih/train_val_list.txt`, dest, sha256: wrong }),
    ChecksumError,
    "left as it is",
  );
  assertEquals(await Deno.readTextFile(dest), "precious");
});

Deno.test("download: NIH labels, split lists and an image archive, extracted", async () => {
  await using dir = await tempDir();
  await using archives = await tempDir();
  // an archive in NIH's layout (images/…) made from a few real images
  const names = ["00000001_000.png", "00000001_001.png", "00000001_002.png"];
  const staging = join(archives.path, "staging", "images");
  await Deno.mkdir(staging, { recursive: true });
  for (const n of names) await Deno.copyFile(join(NIH, "images", n), join(staging, n));
  const tar = await new Deno.Command("tar", {
    args: [
      "-czf",
      join(archives.path, "images_001.tar.gz"),
      "-C",
      join(archives.path, "staging"),
      "images",
    ],
  }).output();
  assertEquals(tar.success, true);
  await using server = serve({ "/nih/": NIH, "/archives/": archives.path });
  await downloadNih({
    root: dir.path,
    covidBaseUrl: "",
    nihBaseUrl: `${server.base}/nih`,
    nihArchiveBaseUrl: `${server.base}/archives`,
    nihArchives: 1,
  });
  const loaded = await loadNih({ dir: join(dir.path, "nih-chestxray14") });
  assertEquals(loaded.rows, 112_120);
  assertEquals(loaded.records.map((r) => r.imageId), names);
  // the archive is gone after extraction and a stamp prevents fetching it again
  const before = server.requests.length;
  await downloadNih({
    root: dir.path,
    covidBaseUrl: "",
    nihBaseUrl: `${server.base}/nih`,
    nihArchiveBaseUrl: `${server.base}/archives`,
    nihArchives: 1,
  });
  assertEquals(server.requests.slice(before).some((r) => r.path.includes("archives")), false);
});

Deno.test("download: NIH without a label URL says where to get the files", async () => {
  await assertRejects(
    () => downloadNih({ root: "/tmp/x", covidBaseUrl: "", nihArchives: 1 }),
    Error,
    "XRAY_NIH_BASE_URL",
  );
});
