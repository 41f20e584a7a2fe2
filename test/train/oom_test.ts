/** Running out of wasm memory gives an error that names the batch and the image size. */
import { assertEquals } from "../assert.ts";

Deno.test("an out-of-memory abort becomes a clear error naming batch size and resolution", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./oom_fixture.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
  if (!/^OutOfMemoryError: Out of memory training on 48 images of 224×224 px/.test(text)) {
    throw new Error(`unexpected outcome: ${text.slice(0, 500)}`);
  }
});
