/** Small statistics and formatting helpers shared by the benchmarks. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

/** The median over runs of one field of each run's result. */
export function medianOf<T>(runs: readonly T[], pick: (run: T) => number): number {
  return median(runs.map(pick));
}

/** 12,345 */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A fixed number of decimals, with thousands separators. */
export function fixed(value: number, decimals: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function ms(value: number, decimals = 1): string {
  return `${fixed(value, decimals)} ms`;
}

export function bytes(value: number): string {
  return value >= 1024 * 1024
    ? `${fixed(value / (1024 * 1024), 2)} MiB`
    : value >= 1024
      ? `${fixed(value / 1024, 1)} KiB`
      : `${value} B`;
}

export function percent(ratio: number): string {
  return `${fixed(ratio * 100, 0)}%`;
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Logs progress on stderr, so that stdout stays free (the delivery benchmark sends logs there). */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
