/**
 * What decoding costs per image at ChestX-ray14's stored size, for `bench/scale.ts`: the
 * synthetic roots hold 256 px PNGs, the real dataset 1024×1024 grey PNGs of about 375 KB on
 * average (42 GB / 112,120). One such image is made here (a real-looking grey picture enlarged,
 * with noise until its PNG is that large) and decoded to 224 px as the image cache does, and
 * its header read as the stored-size filter does; milliseconds per image, on one thread.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { decodeGrey, imageInfo } from "../lib/data/images.ts";
import { Rng } from "../lib/rng.ts";

/** Milliseconds per image to decode to `side` and to read the header, for a 256 px and a 1024 px PNG. */
export async function decodeCost(source256: string, side: number, runs = 20) {
  const dir = await Deno.makeTempDir({ prefix: "xray-decode-" });
  try {
    const big = join(dir, "1024.png");
    const grey = await sharp(source256).greyscale().resize(1024, 1024, { kernel: "lanczos3" })
      .raw().toBuffer();
    const rng = new Rng(1);
    for (let i = 0; i < grey.length; i++) {
      grey[i] = Math.max(0, Math.min(255, grey[i] + Math.round((rng.next() - 0.5) * 4)));
    }
    await sharp(grey, { raw: { width: 1024, height: 1024, channels: 1 } }).png().toFile(big);
    const out: Record<string, unknown> = {};
    for (const [name, file] of [["png256", source256], ["png1024", big]] as const) {
      await decodeGrey(file, side); // warm-up
      let t = performance.now();
      for (let i = 0; i < runs; i++) await decodeGrey(file, side);
      const decodeMs = (performance.now() - t) / runs;
      t = performance.now();
      for (let i = 0; i < runs; i++) await imageInfo(file);
      const headerMs = (performance.now() - t) / runs;
      out[name] = {
        bytes: Deno.statSync(file).size,
        decodeToSideMs: Number(decodeMs.toFixed(2)),
        headerMs: Number(headerMs.toFixed(2)),
      };
    }
    return out;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await decodeCost(Deno.args[0], Number(Deno.args[1] ?? 224))));
}
