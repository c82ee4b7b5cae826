/** Formats a number for the table: '-' when missing, fixed decimals otherwise. */
export function fmt(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio ours/theirs as "0.42x". */
export const x = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');

/** A plain-text table: first column left-aligned, the rest right-aligned. */
export function table(title: string, headers: string[], rows: string[][], notes: string[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    '',
    title,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    ...notes.map((n) => `  ${n}`),
  ].join('\n');
}
