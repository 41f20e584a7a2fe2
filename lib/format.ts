/**
 * Numbers as the report prints them, in one place so every chapter, the site and the tools
 * agree: intervals, differences, p-values, counts, bytes.
 * @module
 */

/** An AUC (or other score) with its interval: "0.712 (0.605–0.801)". */
export function fmtCi(
  value: number | undefined,
  lo?: number,
  hi?: number,
  digits = 3,
): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  const f = (x: number) => minus(x.toFixed(digits));
  if (lo === undefined || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return f(value);
  }
  return `${f(value)} (${f(lo)}–${f(hi)})`;
}

// One minus sign in the report: "−", never a hyphen.
function minus(text: string): string {
  return text.replace(/^-/, "−");
}

/** A signed difference with its interval: "+0.052 (−0.013 to +0.117)". */
export function fmtDiff(value: number | undefined, lo?: number, hi?: number, digits = 3): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  const s = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;
  if (lo === undefined || hi === undefined || !Number.isFinite(lo)) return s(value);
  return `${s(value)} (${s(lo)} to ${s(hi)})`;
}

/** A p-value: 3 decimals, "< 0.001" below that, "—" when no test was run. */
export function fmtP(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return "—";
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

/** A count with its unit, pluralised: "1 image", "3 patients". */
export function count(n: number, unit: string): string {
  return `${n.toLocaleString("en-US")} ${unit}${n === 1 ? "" : "s"}`;
}

/** Bytes for people: "31.0 MiB". */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
