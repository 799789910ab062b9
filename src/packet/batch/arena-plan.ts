import type { BatchExports } from '../cbpf/wasm/batch-module.js';

/**
 * Where a PacketArena's packets lie in its memory, as plain data a worker thread can be
 * sent (arena.ts makes it):
 * - `pcap`: a pcap file's records from `recordsAt` to `end`, each filtered after its
 *   16-byte header where it lies; `splits[k]` is the address of record k * SPLIT_PACKETS
 *   (where a part of the arena may start);
 * - `list`: packet i at dataAt + offsets[i], lengths[i] bytes, the two u32 arrays at
 *   `offsetsAt` and `lengthsAt`, every pair inside [dataAt, dataAt + size).
 * Verdicts, when asked for, go to `verdictsAt` (4 bytes a packet).
 */
export type ArenaPlan = {
  readonly count: number;
  readonly verdictsAt: number;
} & ({
  readonly kind: 'pcap';
  readonly recordsAt: number;
  readonly end: number;
  readonly swap: boolean;
  readonly maxCaplen: number;
  readonly fracLimit: number;
  readonly splits: readonly number[];
} | {
  readonly kind: 'list';
  readonly offsetsAt: number;
  readonly lengthsAt: number;
  readonly dataAt: number;
  readonly size: number;
});

/** Packets a pcap arena's index steps over between two split points. */
export const SPLIT_PACKETS = 4096;

/** Packets [first, first + count) of an arena; for a pcap arena, `first` is a multiple of SPLIT_PACKETS. */
export interface ArenaPart {
  readonly first: number;
  readonly count: number;
}

/**
 * Runs a batch module's instance (over the arena's memory) on a part of the arena; returns
 * the matches. Self-contained, with no reference outside its body: worker threads run its
 * source (workers.ts).
 */
export function runArenaPart(x: BatchExports, plan: ArenaPlan, part: ArenaPart, withVerdicts: boolean): number {
  const verdicts = withVerdicts ? plan.verdictsAt + 4 * part.first : 0;
  if (plan.kind === 'list') {
    return x.list(plan.offsetsAt + 4 * part.first, plan.lengthsAt + 4 * part.first, part.count, plan.dataAt, plan.size, verdicts);
  }
  const at = plan.splits[Math.floor(part.first / 4096)]; // SPLIT_PACKETS, written out: this body runs alone in workers
  const matches = x.scan(at, plan.end, verdicts, part.count, plan.swap ? 1 : 0, plan.maxCaplen, plan.fracLimit, plan.end);
  if (x.packets.value !== part.count) throw new Error(`arena: ${x.packets.value} records scanned of ${part.count} (a pcap arena was changed after it was loaded?)`);
  return matches;
}

/** The arena cut into at most `n` parts of about equal size (pcap arenas: at split points). */
export function arenaParts(plan: ArenaPlan, n: number): ArenaPart[] {
  const unit = plan.kind === 'pcap' ? SPLIT_PACKETS : 1;
  const units = Math.ceil(plan.count / unit);
  const per = Math.max(1, Math.ceil(units / n));
  const parts: ArenaPart[] = [];
  for (let u = 0; u < units; u += per) {
    const first = u * unit;
    parts.push({ first, count: Math.min(plan.count, (u + per) * unit) - first });
  }
  return parts;
}
