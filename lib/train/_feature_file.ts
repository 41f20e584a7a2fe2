/**
 * The feature cache's files: `<name>.json` (the dimension and the row keys, in order) and
 * `<name>.bin` (the rows, float32, one after another). Written under temporary names and renamed
 * once complete; a pair that does not match (a torn write) reads as empty, so the features are
 * computed again. Memory stays at about one copy of the rows: written a few MiB at a time, read
 * into one buffer that the rows are views of (at 112,120 images × 1024 features the rows are
 * 438 MiB; the first version held two more copies while writing and one while reading).
 * @module
 */
import { dirname } from "node:path";

/** Rows by key, from a cache file; empty when there is none or it is torn. */
export async function readFeatureFile(file: string): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  let index: { dim: number; keys: string[] };
  let bytes: Uint8Array;
  try {
    index = JSON.parse(await Deno.readTextFile(`${file}.json`));
    bytes = await readWhole(`${file}.bin`);
  } catch {
    return out; // no cache yet, or unreadable: computed again
  }
  if (bytes.byteLength !== index.keys.length * index.dim * 4) return out; // torn write
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  index.keys.forEach((k, i) => out.set(k, all.subarray(i * index.dim, (i + 1) * index.dim)));
  return out;
}

/** Write rows of `dim` floats by key, replacing the file only once it is complete. */
export async function writeFeatureFile(
  file: string,
  entries: ReadonlyMap<string, Float32Array>,
  dim: number,
  chunkBytes = 4 * 2 ** 20,
): Promise<void> {
  await Deno.mkdir(dirname(file), { recursive: true });
  const keys = [...entries.keys()];
  const rowsPerChunk = Math.max(1, Math.floor(chunkBytes / (4 * Math.max(dim, 1))));
  const chunk = new Float32Array(rowsPerChunk * dim);
  {
    using out = await Deno.open(`${file}.bin.tmp`, { write: true, create: true, truncate: true });
    for (let start = 0; start < keys.length; start += rowsPerChunk) {
      const rows = keys.slice(start, start + rowsPerChunk);
      rows.forEach((k, i) => {
        const row = entries.get(k)!;
        if (row.length !== dim) throw new Error(`feature row of ${k}: ${row.length} ≠ ${dim}`);
        chunk.set(row, i * dim);
      });
      const bytes = new Uint8Array(chunk.buffer, 0, rows.length * dim * 4);
      for (let done = 0; done < bytes.length;) done += await out.write(bytes.subarray(done));
    }
  }
  await Deno.writeTextFile(`${file}.json.tmp`, JSON.stringify({ dim, keys }));
  await Deno.rename(`${file}.bin.tmp`, `${file}.bin`);
  await Deno.rename(`${file}.json.tmp`, `${file}.json`);
}

// Into one buffer of the file's size (Deno.readFile held a second copy while reading).
async function readWhole(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const bytes = new Uint8Array((await file.stat()).size);
  for (let done = 0; done < bytes.length;) {
    const n = await file.read(bytes.subarray(done));
    if (n === null) throw new Error(`${path} ended early`);
    done += n;
  }
  return bytes;
}
