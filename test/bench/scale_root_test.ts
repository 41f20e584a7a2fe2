/**
 * The synthetic ChestX-ray14 root of `bench/scale_root.ts`: the real label file's names and
 * patients, subsets as hard links of whole patients, and pictures whose findings can be read off
 * — the brightness where a finding's blob goes tells images with it from the rest.
 */
import { join } from "node:path";
import { assertEquals, assertTrue } from "../assert.ts";
import { decodeGrey } from "../../lib/data/images.ts";
import { loadNih } from "../../lib/data/datasets/mod.ts";
import { NIH_FINDINGS } from "../../lib/data/record.ts";
import { auc } from "../../lib/eval/roc.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";

Deno.test({
  name:
    "real data: scale root: label-file names, whole-patient hard-linked subsets, learnable pictures",
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const script = new URL("../../bench/scale_root.ts", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, "--out", dir.path, "--limit", "400", "--sizes", "100"],
      env: { XRAY_DATA_DIR: DATA_ROOT },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    const manifest = JSON.parse(await Deno.readTextFile(join(dir.path, "scale-root.json")));
    assertEquals(manifest.images, 400);
    // the loader sees every image, in its official split, with the label file's patient
    const full = await loadNih({ dir: join(dir.path, "full", "nih-chestxray14") });
    assertEquals(full.records.length, 400);
    assertEquals(full.rowsWithoutImage, 112_120 - 400);
    const sub = await loadNih({ dir: join(dir.path, "n100", "nih-chestxray14") });
    assertEquals(sub.records.length, manifest.roots.n100);
    assertTrue(manifest.roots.n100 >= 100, "the subset is not cut inside a patient");
    const inSub = new Set(sub.records.map((r) => r.patientId));
    assertTrue(full.records.filter((r) => inSub.has(r.patientId)).length === sub.records.length);
    const a = Deno.statSync(sub.records[0].path), b = Deno.statSync(full.records[0].path);
    assertEquals([a.ino, a.nlink], [b.ino, 2]); // a hard link, not a copy
    // each finding brightens its own place: that brightness separates images with it
    const grey = await Promise.all(full.records.map((r) => decodeGrey(r.path, 256)));
    for (const finding of ["Infiltration", "Effusion", "Atelectasis"] as const) {
      const k = NIH_FINDINGS.indexOf(finding);
      const [cx, cy] = [256 * (0.22 + 0.18 * (k % 4)), 256 * (0.25 + 0.17 * Math.floor(k / 4))];
      const score = grey.map((g) => {
        let inside = 0, all = 0;
        for (let y = 0; y < 256; y++) {
          for (let x = 0; x < 256; x++) {
            const v = g.data[y * 256 + x];
            all += v;
            if (Math.abs(x - cx) < 8 && Math.abs(y - cy) < 8) inside += v;
          }
        }
        return inside / 256 - all / 65536;
      });
      const labels = full.records.map((r) => (r.findings.includes(finding) ? 1 : 0));
      const area = auc(score, labels);
      assertTrue(area > 0.9, `${finding}: AUC ${area.toFixed(3)} of its blob's brightness`);
    }
  },
});
