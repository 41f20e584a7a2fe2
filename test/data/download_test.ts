import { assertEquals, assertRejects } from "../assert.ts";
import { join } from "node:path";
import { ChecksumError, downloadFile, sha256File } from "../../lib/data/download.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";
import { serve } from "./mirror_server.ts";

const NIH = join(DATA_ROOT, "nih-chestxray14");

Deno.test("real data: download: a dropped connection is retried and resumed with a Range request", async () => {
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

Deno.test("real data: download: a partial file left by an interrupted run is resumed", async () => {
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

Deno.test("real data: download: a checksum mismatch keeps the bytes aside and overwrites nothing", async () => {
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
