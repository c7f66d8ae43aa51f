/** Pure helpers over a metric's table (columns + rows of cells): pivoting and CSV. */

export type Cell = string | number | null;
export type Row = Record<string, Cell | undefined>;

export interface Pivoted {
  data: Row[];
  /** the series names, in order of first appearance (or `order` first) */
  series: string[];
}

/**
 * Long to wide: one output row per `index` value, one column per `seriesCol` value holding
 * `valueCol`. A missing combination is 0 (no open finding of that priority that day).
 */
export function pivot(
  rows: readonly Row[],
  index: string,
  seriesCol: string,
  valueCol: string,
  order: readonly string[] = [],
): Pivoted {
  const byIndex = new Map<string, Row>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = String(row[index] ?? "");
    const series = String(row[seriesCol] ?? "none");
    seen.add(series);
    let out = byIndex.get(key);
    if (!out) {
      out = { [index]: key };
      byIndex.set(key, out);
    }
    const value = row[valueCol];
    out[series] = typeof value === "number" ? value : value == null ? null : Number(value);
  }
  const series = [
    ...order.filter((s) => seen.has(s)),
    ...[...seen].filter((s) => !order.includes(s)),
  ];
  const data = [...byIndex.values()].map((row) => {
    const filled: Row = { ...row };
    for (const s of series) if (filled[s] === undefined) filled[s] = 0;
    return filled;
  });
  return { data, series };
}

/**
 * The rows of the last day of a level metric (posture without an interval answers one row per
 * snapshot day and group): what is open now, at the end of the period.
 */
export function latestRows(rows: readonly Row[], dayCol = "day"): Row[] {
  let last = "";
  for (const row of rows) {
    const day = String(row[dayCol] ?? "");
    if (day > last) last = day;
  }
  return rows.filter((row) => String(row[dayCol] ?? "") === last);
}

function csvCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  // quote what would break a field; neutralise spreadsheet formulas (CSV injection)
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180 CSV with a header row. */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvCell(c)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** "0.8571" -> "85.7%" for share columns; numbers with grouping otherwise. */
export function formatCell(column: string, value: Cell | undefined): string {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "number") {
    if (isShare(column)) return `${(value * 100).toFixed(1)}%`;
    if (!Number.isInteger(value)) return value.toFixed(2);
    return new Intl.NumberFormat("en-GB").format(value);
  }
  return value;
}

const SHARE_COLUMNS = new Set(["sla_compliance", "coverage", "pass_rate", "blocked_share"]);

export function isShare(column: string): boolean {
  return SHARE_COLUMNS.has(column);
}

export function humanizeColumn(column: string): string {
  return column.replaceAll("_", " ");
}
