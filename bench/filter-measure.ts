import { BATCH_TARGET_BYTES, compileFilter, Runtime, type PacketArena, type PacketFilter } from '../src/index.js';
import { dataAt } from '../src/packet/batch/layout.js';
import type { BenchCapture } from './filter-capture.js';
import type { LibpcapTiming } from './filter-native.js';
import { countMatches, type JsPredicate } from './filter-predicates.js';
import { ResultMismatch, timeCall, timePerRun, type TimingOptions } from './timing.js';
import { settle, withOptimizingCompiler } from './v8-tiers.js';

/** Everything `npm run bench:filter` measures for one expression; undefined = not measured. */
export interface ExpressionMeasurement {
  readonly expr: string;
  /** Matches in the whole capture (the arena's count, which every other column must give). */
  readonly matches: number;
  /** compileFilter(expr), parse to callable, warm, V8's default flags (ms). */
  compileMs?: number;
  /** ns per packet: filterArena over the whole capture placed once in a PacketArena (the batch call: verdicts copied out into one reused array). */
  arenaNs?: number;
  /** ns per packet: filterBuffer over the whole capture (copy into the input area included). */
  batchNs?: number;
  /** ns per packet: one run of the batch program over one batch (filterBuffer's first) already in the input area. */
  inPlaceNs?: number;
  /** ns per packet: match(packet) for each packet of the first `matchPackets`. */
  matchNs?: number;
  libpcapNs?: number;
  jsNs?: number;
  readonly mismatches: string[];
}

export interface FilterSettings {
  /** The batch, in-place and JS columns: each sample is at least one pass over the packets. */
  readonly pass: TimingOptions;
  /** The match() column, slower per packet: fewer samples. */
  readonly match: TimingOptions;
  readonly compile: { readonly timeMs: number; readonly minSamples: number };
  /** Passes libpcap's driver times per expression (median reported). */
  readonly libpcapSamples: number;
  /** match() is timed over this many packets (the capture's first). */
  readonly matchPackets: number;
}

export const FULL_FILTER_SETTINGS: FilterSettings = {
  pass: { timeMs: 150, minSamples: 15, warmupMs: 30, sampleNs: 100_000 },
  match: { timeMs: 100, minSamples: 5, warmupMs: 20, sampleNs: 100_000 },
  compile: { timeMs: 60, minSamples: 5 },
  libpcapSamples: 15,
  matchPackets: 10_000,
};

export const QUICK_FILTER_SETTINGS: FilterSettings = {
  pass: { timeMs: 40, minSamples: 5, warmupMs: 10, sampleNs: 100_000 },
  match: { timeMs: 30, minSamples: 3, warmupMs: 10, sampleNs: 100_000 },
  compile: { timeMs: 20, minSamples: 3 },
  libpcapSamples: 5,
  matchPackets: 5_000,
};

/** How many packets from the first fit one batch of `capacity` bytes (packets, their table and verdicts). */
export function firstBatchPackets(capacity: number, capture: BenchCapture): number {
  const { offsets, lengths } = capture;
  let n = 0;
  while (n < offsets.length && dataAt(n + 1) + offsets[n] + lengths[n] - offsets[0] <= capacity) n++;
  return n;
}

/** ns per packet of `run` (one pass over `packets` packets, returning its match count); a wrong count is recorded. */
function perPacket(m: ExpressionMeasurement, label: string, run: () => bigint, expected: number, packets: number, options: TimingOptions): number | undefined {
  try {
    return timePerRun(`${m.expr}: ${label}`, run, BigInt(expected), options) / packets;
  } catch (e) {
    if (!(e instanceof ResultMismatch)) throw e;
    m.mismatches.push(`${label}: ${e.got} matches, the arena ${e.want}`);
    return undefined;
  }
}

function timeMatch(m: ExpressionMeasurement, filter: PacketFilter, capture: BenchCapture, verdicts: Uint32Array, settings: FilterSettings): void {
  const count = Math.min(settings.matchPackets, capture.offsets.length);
  const packets = Array.from({ length: count }, (_, i) => capture.file.subarray(capture.offsets[i], capture.offsets[i] + capture.lengths[i]));
  const expected = verdicts.subarray(0, count).reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
  m.matchNs = perPacket(m, 'match()', () => {
    let matches = 0;
    for (const p of packets) if (filter.match(p) !== 0) matches++;
    return BigInt(matches);
  }, expected, count, settings.match);
}

function timeInPlace(m: ExpressionMeasurement, filter: PacketFilter, capture: BenchCapture, settings: FilterSettings): void {
  const count = firstBatchPackets(Math.min(filter.capacity, BATCH_TARGET_BYTES), capture);
  // Lay the first batch out (one filterBuffer call), then rerun the program over it: the
  // input is the table and the packets' bytes, which lie back to back in the capture.
  const { offsets, lengths } = capture;
  const { matches } = filter.filterBuffer(capture.file, offsets.subarray(0, count), lengths.subarray(0, count));
  const { program } = filter;
  const length = dataAt(count) + offsets[count - 1] + lengths[count - 1] - offsets[0];
  m.inPlaceNs = perPacket(m, 'in place', () => program.runInput(length), matches, count, settings.pass);
}

/**
 * One expression, every column side by side. The filter that is timed is compiled with
 * V8's optimising tier (see v8-tiers.ts); the compile time is measured apart, with V8's
 * default flags, into the same runtime, as a service compiling many filters would.
 */
export async function measureExpression(expr: string, capture: BenchCapture, arena: PacketArena, runtime: Runtime, settings: FilterSettings,
  libpcap: LibpcapTiming | undefined, predicate: JsPredicate | undefined): Promise<ExpressionMeasurement> {
  const filter = withOptimizingCompiler(() => compileFilter(expr, { runtime }));
  const { file, offsets, lengths } = capture;
  const all = filter.filterArena(arena);
  const m: ExpressionMeasurement = { expr, matches: all.matches, mismatches: [] };
  if (libpcap) {
    if (libpcap.matches === all.matches) m.libpcapNs = libpcap.nsPerPacket;
    else m.mismatches.push(`libpcap: ${libpcap.matches} matches, the arena ${all.matches}`);
  }
  await settle(1000);
  // The verdicts go to one array, reused: a fresh 400 kB one per pass (the default) is
  // an allocation, and garbage, that a service filtering buffer after buffer avoids.
  const verdicts = new Uint32Array(offsets.length);
  m.arenaNs = perPacket(m, 'arena', () => BigInt(filter.filterArena(arena, { verdicts }).matches), all.matches, offsets.length, settings.pass);
  m.batchNs = perPacket(m, 'filterBuffer', () => BigInt(filter.filterBuffer(file, offsets, lengths, verdicts).matches), all.matches, offsets.length, settings.pass);
  timeInPlace(m, filter, capture, settings);
  timeMatch(m, filter, capture, all.verdicts, settings);
  if (predicate) {
    m.jsNs = perPacket(m, 'JS predicate', () => BigInt(countMatches(predicate, file, offsets, lengths)), all.matches, offsets.length, settings.pass);
  }
  m.compileMs = timeCall(`${expr}: compile`, () => { compileFilter(expr, { runtime }); }, settings.compile);
  return m;
}
