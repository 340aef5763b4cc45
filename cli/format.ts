/** Plain-text tables for people; programs use --json. */
export function table(rows: Record<string, unknown>[], columns: [key: string, header: string][]): string {
  if (rows.length === 0) return "";
  const cells = rows.map((r) => columns.map(([k]) => cell(r[k])));
  const widths = columns.map(([, h], i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (i === vals.length - 1 ? v : clip(v, widths[i]).padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(columns.map(([, h]) => h.toUpperCase())), ...cells.map(line)].join("\n") + "\n";
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "string") return v.replace(/\s+/g, " ");
  return String(v);
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function printJson(value: unknown) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function shortDate(iso: string | null | undefined): string {
  if (!iso) return "-";
  return iso.replace("T", " ").slice(0, 16);
}
