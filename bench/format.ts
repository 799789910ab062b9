/** Number formatting and the aligned text table the bench prints. */

/** A duration in ns with three significant digits and a unit: "2.26 ns", "7.50 µs", "12.1 ms". */
export function formatNs(ns: number): string {
  const [value, unit] = ns >= 1e6 ? [ns / 1e6, 'ms'] : ns >= 1e3 ? [ns / 1e3, 'µs'] : [ns, 'ns'];
  return `${value.toPrecision(3)} ${unit}`;
}

/** Milliseconds: "7.65 ms", "864 ms", "1210 ms" (no exponent notation). */
export function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toPrecision(3)} ms`;
}

export function formatRatio(ratio: number): string {
  return ratio >= 100 ? `${Math.round(ratio)}x` : `${ratio.toPrecision(3)}x`;
}

/** r0 compactly: decimal when short, else hex. */
export function formatR0(r0: bigint): string {
  return r0 < 1_000_000n ? r0.toString() : `0x${r0.toString(16)}`;
}

export function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

/** Aligned columns: the first left-aligned, the rest right-aligned (they hold numbers). */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
