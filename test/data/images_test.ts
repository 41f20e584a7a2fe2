import { assertAlmostEquals, assertEquals, assertRejects } from "../assert.ts";
import { join } from "node:path";
import { decodeGrey, ImageError, imageInfo, sniffFormat } from "../../lib/data/images.ts";
import { toModelInput } from "../../lib/data/normalise.ts";
import { encodeJpeg, encodePng, type PngColour, ramp, writeBrokenImages } from "../fixtures.ts";
import { tempDir } from "../helpers.ts";

const VARIANTS: [PngColour, 8 | 16][] = [
  ["grey", 8],
  ["grey", 16],
  ["rgb", 8],
  ["rgb", 16],
  ["palette", 8],
  ["grey-alpha", 8],
  ["rgba", 8],
  ["rgba", 16],
];

Deno.test("decodeGrey: every PNG colour type and depth gives the grey ramp it encodes", async () => {
  await using dir = await tempDir();
  // the expected row from the ramp itself, not from a decoded file: 64 px → 16 averages each
  // 4 columns (and 2 rows) of the 8-bit levels round(x / 63 · 255)
  const level = (x: number) => Math.round(ramp(64)(x) * 255);
  const expected = Array.from(
    { length: 16 },
    (_, i) => Math.round([0, 1, 2, 3].reduce((sum, k) => sum + level(4 * i + k), 0) / 4),
  );
  for (const [colour, depth] of VARIANTS) {
    const path = join(dir.path, `${colour}-${depth}.png`);
    await Deno.writeFile(path, encodePng(64, 32, colour, depth, ramp(64)));
    const info = await imageInfo(path);
    assertEquals([info.width, info.height, info.bitDepth], [64, 32, depth]);
    const image = await decodeGrey(path, 16);
    assertEquals(image.data.length, 256);
    // every row alike; 16-bit → 8-bit rounding may differ by one level
    for (let y = 0; y < 16; y++) {
      const row = Array.from(image.data.slice(y * 16, y * 16 + 16));
      row.forEach((v, i) =>
        assertAlmostEquals(v, expected[i], 1, `${colour}-${depth} (${i}, ${y})`)
      );
    }
  }
});

Deno.test("decodeGrey: EXIF orientation is applied (a horizontal ramp turns vertical)", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "rotated.jpg");
  await Deno.writeFile(path, await encodeJpeg(64, 32, { orientation: 6 }));
  assertEquals([(await imageInfo(path)).width, (await imageInfo(path)).height], [32, 64]);
  const image = await decodeGrey(path, 16);
  const column = Array.from({ length: 16 }, (_, y) => image.data[y * 16]);
  const row = Array.from(image.data.slice(0, 16));
  if (!(column[15] - column[0] > 100)) throw new Error(`column should ramp: ${column}`);
  if (!(Math.max(...row) - Math.min(...row) < 20)) throw new Error(`row should be flat: ${row}`);
});

Deno.test("decodeGrey: broken files give an ImageError naming the file and the problem", async () => {
  await using dir = await tempDir();
  const files = await writeBrokenImages(dir.path);
  const expected: Record<string, string> = {
    "empty.png": "the file is empty (0 bytes)",
    "truncated.jpg": "cannot decode the JPEG image",
    "text.png": "not an image; expected a JPEG or PNG file",
    "image.gif": "unsupported format GIF; expected a JPEG or PNG file",
    "corrupt.png": "cannot decode the PNG image",
  };
  for (const [name, problem] of Object.entries(expected)) {
    const e = await assertRejects(() => decodeGrey(files[name], 32), ImageError);
    assertEquals(e.file, files[name]);
    if (!e.message.startsWith(files[name]) || !e.problem.includes(problem)) {
      throw new Error(`${name}: ${e.message}`);
    }
  }
  await assertRejects(
    () => decodeGrey(join(dir.path, "absent.png"), 8),
    ImageError,
    "file not found",
  );
});

Deno.test("a non-image's first bytes are shown only for files inside the data root", async () => {
  await using dir = await tempDir();
  const files = await writeBrokenImages(dir.path);
  const before = Deno.env.get("XRAY_DATA_DIR");
  try {
    Deno.env.set("XRAY_DATA_DIR", dir.path); // now the file lies inside the data root
    await assertRejects(
      () => decodeGrey(files["text.png"], 8),
      ImageError,
      'not an image (starts with text "this is not',
    );
  } finally {
    if (before === undefined) Deno.env.delete("XRAY_DATA_DIR");
    else Deno.env.set("XRAY_DATA_DIR", before);
  }
});

Deno.test("sniffFormat recognises formats by content, not extension", () => {
  assertEquals(sniffFormat(encodePng(2, 2, "grey", 8, () => 0)), "png");
  assertEquals(sniffFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), "jpeg");
  assertEquals(sniffFormat(new Uint8Array([0x42, 0x4d, 0, 0])), "bmp");
  const dicom = new Uint8Array(132);
  dicom.set([68, 73, 67, 77], 128);
  assertEquals(sniffFormat(dicom), "dicom");
});

Deno.test("model inputs: DenseNet121 uses torch mean/std, ResNet50 caffe BGR means", () => {
  const image = { side: 1, data: new Uint8Array([255]) };
  const dense = toModelInput(image, "densenet121");
  [0.485, 0.456, 0.406].forEach((m, c) =>
    assertAlmostEquals(dense[c], (1 - m) / [0.229, 0.224, 0.225][c], 1e-6)
  );
  const res = toModelInput({ side: 1, data: new Uint8Array([100]) }, "resnet50");
  [103.939, 116.779, 123.68].forEach((m, c) => assertAlmostEquals(res[c], 100 - m, 1e-4));
});
