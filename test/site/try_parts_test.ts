/**
 * The try-it page's pure parts, in Deno: reading an image's size before decoding it (failing
 * closed), the size limits, the CAM peak cell on the model's real feature grid, which test
 * images may be published in the gallery, and which arm the page starts with.
 */
import { assertEquals, assertTrue } from "../assert.ts";
import {
  type ByteReader,
  MAX_SIDE,
  MIN_SIDE,
  readHeader,
  sizeProblem,
} from "../../site/src/browser/decode.ts";
import { camGrid, peakCell } from "../../site/src/browser/manifest.ts";
import { pickGallery, SHAREABLE_LICENCES } from "../../site/staging/gallery.ts";
import {
  defaultArm,
  firstRun,
  publishedArms,
  type ResultArm,
  type TransferResults,
} from "../../site/staging/prepare.ts";
import type { CovidRecord } from "../../lib/data/datasets/mod.ts";
import { encodeJpeg, encodePng } from "../fixtures.ts";

/** A reader over bytes in memory that counts what it was asked for. */
function reader(bytes: Uint8Array): { read: ByteReader; bytesRead: () => number } {
  let total = 0;
  return {
    read: (offset, length) => {
      const slice = bytes.slice(offset, offset + length);
      total += slice.length;
      return Promise.resolve(slice);
    },
    bytesRead: () => total,
  };
}

const header = (bytes: Uint8Array) => readHeader(reader(bytes).read, bytes.length);

// A JPEG with `app` bytes of APP1 segments after its start marker and, optionally, other
// width and height written into its frame header.
function withMetadata(jpeg: Uint8Array, app: number, size?: [number, number]): Uint8Array {
  const segments: number[] = [];
  for (let left = app; left > 0;) {
    const payload = Math.min(left, 65533);
    segments.push(0xff, 0xe1, (payload + 2) >> 8, (payload + 2) & 0xff, ...new Array(payload));
    left -= payload;
  }
  const out = new Uint8Array([...jpeg.subarray(0, 2), ...segments, ...jpeg.subarray(2)]);
  if (size) {
    // the frame header: FF C0–C2, length, precision, height, width
    for (let i = 2 + segments.length; i < out.length - 9; i++) {
      if (out[i] === 0xff && out[i + 1] >= 0xc0 && out[i + 1] <= 0xc2) {
        out.set([size[1] >> 8, size[1] & 0xff, size[0] >> 8, size[0] & 0xff], i + 5);
        break;
      }
    }
  }
  return out;
}

Deno.test("image headers: PNG size and depth, JPEG size past an EXIF block, non-images refused", async () => {
  assertEquals(await header(encodePng(300, 200, "grey", 16, () => 0.5)), {
    format: "png",
    width: 300,
    height: 200,
    bitDepth: 16,
  });
  const jpeg = await encodeJpeg(120, 90, { orientation: 6 });
  const found = await header(jpeg);
  assertEquals([found?.format, found?.width, found?.height], ["jpeg", 120, 90]);
  assertEquals(await header(new TextEncoder().encode("just some text")), undefined);
  assertEquals(await header(new Uint8Array()), undefined);
});

Deno.test("image headers fail closed: a size past 256 KiB of metadata is found, a missing one refuses", async () => {
  const jpeg = await encodeJpeg(120, 90);
  // 10000×10000 claimed behind 320 KiB of metadata: found by walking the segments, and refused
  const hidden = withMetadata(jpeg, 320 * 1024, [10000, 10000]);
  const r = reader(hidden);
  const found = await readHeader(r.read, hidden.length);
  assertEquals([found?.width, found?.height], [10000, 10000]);
  assertTrue(sizeProblem("big.jpg", found!.width, found!.height)!.includes("10000×10000"));
  // the walk reads segment headers, not the metadata itself
  assertTrue(r.bytesRead() < 200 * 1024, `${r.bytesRead()} bytes read of ${hidden.length}`);
  // cut before the frame header: no size, so no decoding
  const cut = withMetadata(jpeg, 100 * 1024).subarray(0, 100 * 1024);
  assertEquals(await header(cut), undefined);
  // image data (SOS) before any frame header: no size to trust
  const sosFirst = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xda,
    0x00,
    0x08,
    1,
    2,
    3,
    4,
    5,
    6,
    0xff,
    0xd9,
  ]);
  assertEquals(await header(sosFirst), undefined);
  // a PNG whose first chunk is not IHDR
  const png = encodePng(40, 40, "grey", 8, () => 0.5);
  png.set([0x58, 0x58, 0x58, 0x58], 12);
  assertEquals(await header(png), undefined);
});

Deno.test("size limits: the longest side at most 4096, the shortest at least 32", () => {
  assertEquals(sizeProblem("ok.png", MAX_SIDE, MIN_SIDE), undefined);
  assertTrue(sizeProblem("wide.png", MAX_SIDE + 1, 100)!.includes(`up to ${MAX_SIDE} pixels`));
  const tiny = sizeProblem("dot.png", 1, 1)!;
  assertTrue(tiny.startsWith("dot.png is 1×1 pixels") && tiny.includes(`at least ${MIN_SIDE}`));
  assertTrue(sizeProblem("strip.png", 2000, MIN_SIDE - 1) !== undefined);
});

Deno.test("CAM peak: the cell of the model's last feature grid (side/32 cells a side)", () => {
  assertEquals([camGrid(64), camGrid(128), camGrid(224)], [2, 4, 7]);
  const side = 128, map = new Float32Array(side * side);
  map[127 * side + 0] = 1; // bottom-left pixel
  assertEquals(peakCell(map, side), [3, 0]);
  map[40 * side + 100] = 2; // row 40, column 100 → cell (1, 3): cells are 32 px
  assertEquals(peakCell(map, side), [1, 3]);
  const small = new Float32Array(64 * 64);
  small[31 * 64 + 32] = 1; // just left of the middle row, just right of the middle column
  assertEquals(peakCell(small, 64), [0, 1]);
});

Deno.test("gallery: shareable licences only, one image per patient, both classes", () => {
  const record = (i: number, covid: boolean, license: string, patient = `p${i}`) =>
    ({ imageId: `${i}.png`, patientId: patient, covid, license }) as unknown as CovidRecord;
  const test = [
    record(1, true, "CC BY 4.0"),
    record(2, true, "CC BY-NC-ND 4.0"), // no derivatives: a resized copy is one
    record(3, true, ""), // unknown terms
    record(4, true, "Apache 2.0", "p1"), // a second image of patient p1
    record(5, false, "CC BY-NC-SA"),
    record(6, false, "CC BY-SA"),
  ];
  const picked = pickGallery(test, 5);
  assertEquals(picked.map((r) => r.imageId), ["1.png", "5.png", "6.png"]);
  for (const r of picked) assertEquals(SHAREABLE_LICENCES.has(r.license), true);
  assertEquals(pickGallery(test, 1).map((r) => r.covid), [true, false]);
});

// Chapter 3's arms as its results file lists them; AUCs chosen so the best test AUC is NOT the
// primary arm: the default must not follow them.
function arm(key: string, extra: Partial<ResultArm>): ResultArm {
  return {
    key,
    arm: key,
    mode: "fine-tuned",
    start: "imagenet",
    arch: "densenet121",
    augment: true,
    mean: 0.7,
    lo: 0.6,
    hi: 0.8,
    ...extra,
  };
}

Deno.test("try page: the primary arm first, never the best test AUC; folds or splits", () => {
  const folds = (n: number, repeats: number) =>
    Array.from({ length: n * repeats }, (_, i) => ({
      fold: i % n,
      repeat: Math.floor(i / n),
      model: `weights/x/f${i % n}r${Math.floor(i / n)}`,
    }));
  const kfold: TransferResults = {
    scale: "",
    primary: { a: "tuned-densenet121-nih", b: "tuned-densenet121-imagenet" },
    arms: [
      arm("frozen-densenet121-nih", {
        mode: "frozen",
        start: "nih",
        mean: 0.9,
        folds: folds(5, 1),
      }),
      arm("tuned-densenet121-imagenet", { mean: 0.95, folds: folds(5, 2) }),
      arm("tuned-densenet121-nih", { start: "nih", mean: 0.6, folds: folds(5, 2) }),
      arm("tuned-densenet121-scratch", { start: "scratch", learned: false, folds: folds(5, 2) }),
      arm("tuned-resnet50-imagenet", { arch: "resnet50", folds: folds(5, 2) }),
      arm("tuned-densenet121-imagenet-noaug", { augment: false, folds: folds(5, 2) }),
    ],
  };
  const published = publishedArms(kfold);
  assertEquals(published.map((a) => a.key), [
    "frozen-densenet121-nih",
    "tuned-densenet121-imagenet",
    "tuned-densenet121-nih",
    "tuned-densenet121-scratch",
  ]);
  assertEquals(defaultArm(kfold, published)?.key, "tuned-densenet121-nih");
  assertEquals(firstRun(kfold.arms[1]), {
    model: "weights/x/f0r0",
    run: "fold 0, repeat 0",
    runs: 10,
    unit: "runs (5 folds × 2 repeats)",
  });
  // older results: splits, no primary named, mode spelled "tuned" or "fine-tuned"
  const splits: TransferResults = {
    scale: "",
    arms: [
      arm("tuned-densenet121-imagenet", { mean: 0.95, splits: [{ split: 0, model: "a" }] }),
      arm("tuned-densenet121-nih", {
        start: "nih",
        mode: "tuned",
        mean: 0.6,
        splits: [{ split: 1, model: "c" }, { split: 0, model: "b" }],
      }),
    ],
  };
  assertEquals(defaultArm(splits, publishedArms(splits))?.key, "tuned-densenet121-nih");
  assertEquals(firstRun(splits.arms[1]), { model: "b", run: "split 0", runs: 2, unit: "splits" });
  // the primary arm not published (no saved model): no default by test AUC either
  assertEquals(defaultArm(kfold, [{ key: "tuned-densenet121-imagenet" }]), undefined);
});
