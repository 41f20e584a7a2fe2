import { assertEquals, assertThrows } from "../assert.ts";
import { CsvError, parseCsv } from "../../lib/data/_csv.ts";

Deno.test("parseCsv: quoted fields with newlines keep correct line numbers", () => {
  const text = 'a,b\n1,"two\nlines"\n3,4\n';
  const t = parseCsv(text, "f.csv", { required: ["a", "b"] });
  assertEquals(t.rows.map((r) => r.line), [2, 4]);
  assertEquals(t.rows[0].values.b, "two\nlines");
});

Deno.test("parseCsv: a missing required column names the file and the column", () => {
  const e = assertThrows(
    () => parseCsv("a,c\n1,2\n", "meta.csv", { required: ["a", "b"] }),
    CsvError,
  );
  assertEquals(e.message.startsWith('meta.csv: required column "b" missing'), true);
});

Deno.test("parseCsv: malformed rows are reported with their line, or raise under 'error'", () => {
  const text = "a,b\n1,2\n3\n4,5,6\n7,8,\n";
  const t = parseCsv(text, "x.csv", { required: ["a"] });
  assertEquals(t.rows.map((r) => r.line), [2, 5]); // a trailing empty field is allowed
  assertEquals(t.malformed, [
    { file: "x.csv", line: 3, problem: "expected 2 fields, found 1" },
    { file: "x.csv", line: 4, problem: "expected 2 fields, found 3" },
  ]);
  assertThrows(
    () => parseCsv(text, "x.csv", { required: ["a"], onMalformedRow: "error" }),
    CsvError,
    "x.csv: line 3: malformed row",
  );
});

Deno.test("parseCsv: comment lines above the header are skipped", () => {
  const t = parseCsv("## note\n## more\na,b\n1,2\n", "c.csv", {
    required: ["a"],
    commentPrefix: "##",
  });
  assertEquals(t.rows, [{ line: 4, values: { a: "1", b: "2" } }]);
});

Deno.test("parseCsv: an empty file is an error", () => {
  assertThrows(() => parseCsv("", "e.csv", { required: [] }), CsvError, "e.csv: the file is empty");
});
