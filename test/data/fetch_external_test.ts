/**
 * The external-validation collections (Figure1, Actualmed) fetched from a loopback mirror of
 * the shared copy: each file checked against its git blob id before it takes its name, landing
 * in the shared copy's layout; the shared copy's re-encoded Actualmed images refused by the
 * upstream pins; a copy like the shared one (re-encoded images, absent files) used as it is,
 * and not written to when read-only; and what each profile fetches.
 */
import { join } from "node:path";
import { assertEquals, assertTrue } from "../assert.ts";
import { PROFILES } from "../../lib/config.ts";
import {
  ACTUALMED,
  EXTERNAL_KEY,
  externalDir,
  externalPlan,
  FIGURE1,
} from "../../lib/data/datasets/external.ts";
import { fatal, fetchItems, inspect, type Pins, planLines } from "../../lib/data/fetch.ts";
import { optionalSummary } from "../../lib/data/data_step.ts";
import { gitBlobId } from "../../lib/data/verify.ts";
import { profileNeeds } from "../../lib/data/requirements.ts";
import { DATA_ROOT, tempDir } from "../helpers.ts";
import { serve } from "./mirror_server.ts";

const SHARED = join(DATA_ROOT, "external");
const mirrorUrls = (base: string) => ({
  figure1: `${base}/figure1`,
  actualmed: `${base}/actualmed`,
});
const routes = {
  "/figure1/": join(SHARED, "figure1"),
  "/actualmed/": join(SHARED, "actualmed"),
};

function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

Deno.test("external pins: every upstream file, by git blob id, at the pinned commits", () => {
  assertEquals(FIGURE1.commit, "95bb569e55f4110d3b734c0f355340e04e16989a");
  assertEquals(ACTUALMED.commit, "27240dd8dec9454bc97f9f3c0c432ef434de2517");
  const images = (pins: Pins) => Object.keys(pins).filter((p) => p.startsWith("images/")).length;
  assertEquals(images(FIGURE1.pins), 55);
  assertEquals(images(ACTUALMED.pins), 238);
  for (const pins of [FIGURE1.pins, ACTUALMED.pins]) {
    for (const [path, pin] of Object.entries(pins)) {
      assertTrue(/^[0-9a-f]{40}$/.test(pin.gitBlob ?? ""), `${path} has no blob id`);
    }
  }
});

Deno.test("external plan: smoke takes the images under 4 MiB, quick and paper all of them", () => {
  const count = (profile: keyof typeof PROFILES) =>
    externalPlan("/r", {}, PROFILES[profile]).map((i) => i.files.length);
  // metadata.csv and README.md, then the images
  assertEquals(count("smoke"), [57, 56]);
  assertEquals(count("quick"), [57, 240]);
  assertEquals(count("paper"), [57, 240]);
  const [figure1, actualmed] = externalPlan("/r", {}, PROFILES.smoke);
  assertEquals(figure1.dir, "/r/external/figure1");
  assertEquals(actualmed.files.filter((f) => f.required).map((f) => f.dest), [
    "/r/external/actualmed/metadata.csv",
  ]);
  assertTrue(
    figure1.source.startsWith("github.com/agchung/Figure1-COVID-chestxray-dataset @ 95bb569"),
  );
  // a base-URL setting is named in the plan as the mirror it is
  const mirrored = externalPlan(
    "/r",
    { baseUrls: { figure1: "http://127.0.0.1:1/f1" } },
    PROFILES.smoke,
  );
  assertTrue(mirrored[0].source.startsWith("http://127.0.0.1:1/f1 ("), mirrored[0].source);
  assertEquals(mirrored[0].files[0].url.startsWith("http://127.0.0.1:1/f1/"), true);
  // the main job's needs include them
  assertEquals(
    profileNeeds(PROFILES.smoke, "/r", {}, [EXTERNAL_KEY]).map((i) => i.name),
    [FIGURE1.title, ACTUALMED.title],
  );
});

Deno.test({
  name:
    "real data: external fetch: blob ids checked before files take their names, in the copy's layout",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using root = await tempDir();
    await using server = serve(routes);
    // (1) upstream pins against the shared copy: Figure1 is byte-identical and passes; the
    // re-encoded Actualmed images are refused (set aside), its README and metadata pass
    const upstream = externalPlan(root.path, { baseUrls: mirrorUrls(server.base) }, PROFILES.smoke);
    const first = await fetchItems(await inspect(upstream), { retryDelayMs: 10 });
    assertEquals(fatal(first), false);
    assertEquals(first.failed, []);
    const refused = first.mismatched.map((m) => m.file.split("/").pop()!).sort();
    assertEquals(
      refused,
      [...Deno.readDirSync(join(SHARED, "actualmed", "images"))].map((e) => e.name).sort(),
    );
    // upstream's sizes are pinned too, so a re-encoded image fails on its size first
    assertTrue(first.mismatched.every((m) => /^(size|git blob id) /.test(m.problem)));
    const summary = optionalSummary(first)!;
    assertTrue(summary.includes(`54 optional file(s)`), summary);
    const figure1 = externalDir(root.path, FIGURE1);
    for (const path of filesUnder(figure1).filter((p) => p.startsWith("images/"))) {
      assertEquals(await gitBlobId(join(figure1, path)), FIGURE1.pins[path].gitBlob);
    }
    // (2) pins of what this mirror serves (as a mirror holding re-encoded copies would be
    // pinned): everything arrives, each file's blob id the pinned one
    const served: Record<string, { gitBlob: string; bytes: number }> = {};
    for (const path of filesUnder(join(SHARED, "actualmed"))) {
      if (path === "upstream-manifest.csv") continue;
      const file = join(SHARED, "actualmed", path);
      served[path] = { gitBlob: await gitBlobId(file), bytes: Deno.statSync(file).size };
    }
    // one blob id wrong, size right: the blob id alone refuses it
    const [victim] = Object.keys(served).filter((p) => p.startsWith("images/"));
    const wrong = { ...served, [victim]: { ...served[victim], gitBlob: "0".repeat(40) } };
    const oneWrong = await fetchItems(
      await inspect(externalPlan(
        root.path,
        { baseUrls: mirrorUrls(server.base), pins: { actualmed: wrong } },
        PROFILES.smoke,
      )),
      { retryDelayMs: 10 },
    );
    assertEquals(oneWrong.mismatched.map((m) => m.problem.split(",")[0]), [
      `git blob id ${served[victim].gitBlob}`,
    ]);
    const mirrored = externalPlan(
      root.path,
      { baseUrls: mirrorUrls(server.base), pins: { actualmed: served } },
      PROFILES.smoke,
    );
    const second = await fetchItems(await inspect(mirrored), { retryDelayMs: 10 });
    assertEquals([second.failed.length, second.mismatched.length], [0, 0]);
    const actualmed = externalDir(root.path, ACTUALMED);
    for (const [path, pin] of Object.entries(served)) {
      assertEquals(await gitBlobId(join(actualmed, path)), pin.gitBlob);
    }
    // the shared copy's layout (less its manifest), plus the ledger and what was set aside
    for (const [dir, shared] of [[figure1, "figure1"], [actualmed, "actualmed"]]) {
      const fetched = filesUnder(dir).filter((p) =>
        p !== "checksums.sha256" && !p.startsWith("set-aside/")
      );
      const expected = filesUnder(join(SHARED, shared)).filter((p) =>
        p !== "upstream-manifest.csv"
      );
      assertEquals(fetched, expected);
    }
    // a third run finds everything and fetches nothing
    const before = server.requests.length;
    const third = await fetchItems(await inspect(mirrored), { retryDelayMs: 10 });
    assertEquals([third.fetched.length, server.requests.length - before], [0, 0]);
  },
});

Deno.test({
  name:
    "real data: external copy like the shared one: used as it is; read-only, nothing is fetched",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using root = await tempDir();
    await using server = serve(routes);
    // the shared copy's files (re-encoded Actualmed images, 184 absent), linked into a root
    for (const name of ["figure1", "actualmed"]) {
      for (const path of filesUnder(join(SHARED, name))) {
        const dest = join(root.path, "external", name, path);
        await Deno.mkdir(join(dest, ".."), { recursive: true });
        await Deno.symlink(join(SHARED, name, path), dest);
      }
    }
    const settings = { baseUrls: mirrorUrls(server.base) };
    // smoke: everything it takes is there; the re-encoded images are the copy's own
    const smoke = await inspect(externalPlan(root.path, settings, PROFILES.smoke));
    assertEquals(smoke.map((s) => [s.folder, s.missing.length]), [["copy", 0], ["copy", 0]]);
    const lines = planLines(smoke).join("\n");
    assertTrue(lines.includes("existing copy, 56 of 56 files (used as they are)"), lines);
    const report = await fetchItems(smoke, { retryDelayMs: 10 });
    assertEquals([report.fetched.length, report.corrupt.length, server.requests.length], [0, 0, 0]);
    // quick, read-only: the plan says the 184 absent images are not fetched, and none is
    for (const name of ["figure1", "actualmed", "actualmed/images"]) {
      await Deno.chmod(join(root.path, "external", name), 0o555);
    }
    try {
      const quick = await inspect(externalPlan(root.path, settings, PROFILES.quick));
      assertEquals(quick.map((s) => s.folder), ["read-only copy", "read-only copy"]);
      const text = planLines(quick).join("\n");
      assertTrue(text.includes("184 absent, not fetched into a read-only folder"), text);
      const none = await fetchItems(quick, { retryDelayMs: 10 });
      assertEquals(fatal(none), false);
      assertEquals([none.fetched.length, none.failed.length, server.requests.length], [0, 0, 0]);
    } finally {
      for (const name of ["figure1", "actualmed", "actualmed/images"]) {
        await Deno.chmod(join(root.path, "external", name), 0o755);
      }
    }
  },
});
