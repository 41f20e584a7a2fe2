/**
 * CSV reading with the checks a dataset loader needs: required columns present, every row the
 * header's width, and errors that name the file, the row and the problem.
 * @module
 */
import Papa from "papaparse";

/** A data row keyed by header name, with its 1-based line number in the file. */
export interface CsvRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

/** A row that could not be read, with why. */
export interface MalformedRow {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

/** Raised when a CSV file cannot be used at all (missing, empty, required column absent). */
export class CsvError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "CsvError";
  }
}

/** What to do with a row whose width differs from the header. */
export type MalformedRowPolicy = "skip" | "error";

/** Options for {@link readCsv}. */
export interface ReadCsvOptions {
  /** Columns that must be in the header. */
  readonly required: readonly string[];
  /** `skip` (default): report malformed rows and go on. `error`: throw on the first. */
  readonly onMalformedRow?: MalformedRowPolicy;
  /** Lines starting with this are ignored (e.g. `##` comment lines above the header). */
  readonly commentPrefix?: string;
}

/** The readable rows and the malformed ones. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: CsvRow[];
  readonly malformed: MalformedRow[];
}

/**
 * Parse CSV text (RFC 4180 quoting, newlines inside quotes) into rows keyed by header.
 * A row may carry extra empty trailing fields (common in exported sheets); any other width
 * mismatch is malformed.
 */
export function parseCsv(text: string, file: string, options: ReadCsvOptions): CsvTable {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), {
    header: false,
    skipEmptyLines: "greedy",
    comments: options.commentPrefix ?? false,
  });
  if (parsed.data.length === 0) throw new CsvError(file, "the file is empty (no header row)");
  const header = parsed.data[0].map((h) => h.trim());
  const missing = options.required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvError(
      file,
      `required column${missing.length > 1 ? "s" : ""} ${
        missing.map((c) => `"${c}"`).join(", ")
      } missing; header has ${header.map((c) => `"${c}"`).join(", ")}`,
    );
  }
  const lines = lineNumbers(text, parsed.data.length, options.commentPrefix);
  const rows: CsvRow[] = [];
  const malformed: MalformedRow[] = [];
  for (let i = 1; i < parsed.data.length; i++) {
    const fields = parsed.data[i];
    const extra = fields.slice(header.length);
    if (fields.length < header.length || extra.some((f) => f.trim() !== "")) {
      const problem = `expected ${header.length} fields, found ${fields.length}`;
      if (options.onMalformedRow === "error") {
        throw new CsvError(file, `line ${lines[i]}: malformed row (${problem})`);
      }
      malformed.push({ file, line: lines[i], problem });
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, j) => (values[name] = fields[j]));
    rows.push({ line: lines[i], values });
  }
  return { header, rows, malformed };
}

/** Read and parse a CSV file; a missing or unreadable file is a {@link CsvError}. */
export async function readCsv(path: string, options: ReadCsvOptions): Promise<CsvTable> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new CsvError(path, `cannot read the file (${(e as Error).message})`);
  }
  return parseCsv(decodeText(bytes), path, options);
}

// UTF-8, else Windows-1252: some collections' metadata files were saved by a spreadsheet in
// the latter (a "°" in a note), and every byte of it is a character there.
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

// Papaparse does not report line numbers; recover the 1-based start line of each record by
// walking the text with the same rules (quotes may hold newlines; comment and blank lines skip).
function lineNumbers(text: string, records: number, commentPrefix?: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let inQuotes = false;
  let atLineStart = true;
  let inRecord = false;
  for (let i = 0; i < text.length && starts.length < records; i++) {
    const ch = text[i];
    if (atLineStart && !inQuotes && !inRecord) {
      if (commentPrefix && text.startsWith(commentPrefix, i)) {
        const end = text.indexOf("\n", i);
        if (end < 0) break;
        i = end;
        line++;
        continue;
      }
      if (ch !== "\n" && ch !== "\r") {
        starts.push(line);
        inRecord = true;
      }
    }
    atLineStart = false;
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === "\n") {
      line++;
      atLineStart = true;
      if (!inQuotes) inRecord = false;
    }
  }
  return starts;
}
