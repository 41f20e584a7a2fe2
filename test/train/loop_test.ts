/**
 * The training loop on a real (small) run: a process killed mid-epoch resumes from its last
 * checkpoint and ends with the same weights and history as an unbroken run; no tensors leak
 * from epoch to epoch; the model comes back with its best epoch's weights. And training is
 * deterministic: the same run in another process ends with bit-identical weights.
 */
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { tempDir } from "../helpers.ts";
import { fixtureRun } from "./fixture.ts";

Deno.test({
  name: "a run killed mid-epoch resumes and ends exactly as an unbroken run",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const unbroken = await fixtureRun(join(dir.path, "unbroken"));
    assertEquals(unbroken.result.history.length, 3);
    // no tensors leak from one epoch to the next
    const [t1, t2, t3] = unbroken.result.tensorsAfterEpoch;
    assertEquals([t2, t3], [t1, t1]);

    const killedDir = join(dir.path, "killed");
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./fixture.ts", import.meta.url).pathname, killedDir, "1:1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(child.code, 3, new TextDecoder().decode(child.stderr));
    const state = JSON.parse(await Deno.readTextFile(join(killedDir, "last", "state.json")));
    assertEquals(state.epoch, 0); // only the first epoch was finished

    const resumed = await fixtureRun(killedDir);
    assertEquals(resumed.result.resumedAfterEpoch, 0);
    assertEquals(resumed.weights, unbroken.weights);
    const numbers = (h: typeof unbroken.result.history) => h.map(({ seconds: _, ...rest }) => rest);
    assertEquals(numbers(resumed.result.history), numbers(unbroken.result.history));
    assertEquals(resumed.result.bestEpoch, unbroken.result.bestEpoch);
  },
});

Deno.test({
  name: "training is deterministic: two processes end with bit-identical weights",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir();
    const here = await fixtureRun(join(dir.path, "here"));
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./fixture.ts", import.meta.url).pathname,
        join(dir.path, "there"),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(child.code, 0, new TextDecoder().decode(child.stderr));
    assertEquals(new TextDecoder().decode(child.stdout).trim().split("\n").at(-1), here.weights);
  },
});
