/**
 * `ebpf-wasm run --dump-maps`: every map after the run, in the plain format of
 * `bpftool map dump`, one block per map, blocks separated by a blank line:
 *
 *   3: hash  name ethertypes  flags 0x0  key 4B  value 8B  max_entries 64
 *   key: 00 08 00 00  value: 01 00 00 00 00 00 00 00
 *   Found 1 element
 *
 * - The header is `bpftool map show` on one line, with the fd in place of the map id.
 * - Bytes are lower-case hex, 16 to a line, with two spaces after the eighth of a line
 *   (bpftool's fprint_hex).
 * - hash, lru_hash, array: a `key: ... value: ...` line per entry in the map's iteration
 *   order (arrays: every index). As in bpftool, when the key or the value is longer than
 *   16 bytes, or both together longer than 24, `key:` and `value:` each stand on a line
 *   of their own with the bytes on the lines below.
 * - percpu_hash, percpu_array: `key:`, the key's bytes, then `value (CPU 00): ...` for
 *   every CPU of the runtime (the value's bytes below the label if it is longer than 16).
 * - queue, stack: `value: ...` for every element in pop order. They are read by popping
 *   them all and pushing them back, so the map is left as it was.
 * - ringbuf: `record: ...` for every record submitted and not yet consumed;
 *   perf_event_array: `record (CPU 00): ...` for every pending record, and a line
 *   `Lost N records` if any were dropped. Both consume the records they show.
 * - prog_array: `key: ... value: program 'name'` for every occupied slot.
 * - Each block ends with `Found N element(s)` (`record(s)` for ringbuf and
 *   perf_event_array); an empty map shows `Found 0 elements` and nothing else.
 * - A map the host may not read (BPF_F_WRONLY) shows `Error: <why>` in place of its
 *   entries.
 *
 * The output depends only on the maps' contents, so the same run prints the same dump.
 */
import { isEbpfError } from '../errors.js';
import type { BpfMap } from '../maps/bpf-map.js';
import { PerfEventArrayMap } from '../maps/perf-event-array.js';
import { ProgArrayMap } from '../maps/prog-array.js';
import { QueueStackMap } from '../maps/queue-stack-map.js';
import { RingBufMap } from '../maps/ringbuf-map.js';

/** The maps as text: one block each, in the given order, separated by blank lines. */
export function dumpMaps(maps: Iterable<BpfMap>): string {
  return [...maps].map((map) => dumpMap(map).join('\n') + '\n').join('\n');
}

/** One map's block, as lines. */
export function dumpMap(map: BpfMap): string[] {
  const flags = map.spec.flags ?? 0;
  const header = `${map.fd}: ${map.type}  name ${map.name}  flags 0x${flags.toString(16)}  key ${map.keySize}B  value ${map.valueSize}B  max_entries ${map.maxEntries}`;
  let entries: string[];
  try {
    entries = body(map);
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    entries = [`Error: ${e.message}`];
  }
  return [header, ...entries].flatMap((text) => text.split('\n'));
}

/** bpftool's fprint_hex: 16 bytes a line, two spaces after the eighth. */
export function hex(bytes: Uint8Array): string {
  let out = '';
  bytes.forEach((b, i) => {
    out += i === 0 ? '' : i % 16 === 0 ? '\n' : i % 8 === 0 ? '  ' : ' ';
    out += b.toString(16).padStart(2, '0');
  });
  return out;
}

/** `label: bytes`, or the label alone on its line with the bytes below when they are long. */
function labelled(label: string, bytes: Uint8Array, ownLine = bytes.length > 16): string {
  return `${label}:${ownLine ? '\n' : ' '}${hex(bytes)}`;
}

function found(count: number, noun = 'element'): string {
  return `Found ${count} ${noun}${count === 1 ? '' : 's'}`;
}

function body(map: BpfMap): string[] {
  if (map instanceof QueueStackMap) return queueOrStack(map);
  if (map instanceof RingBufMap) return records(map.drain().map((r) => labelled('record', r)));
  if (map instanceof PerfEventArrayMap) return perfRecords(map);
  if (map instanceof ProgArrayMap) return progArray(map);
  const lines: string[] = [];
  let count = 0;
  for (const [key, value] of map.entries()) {
    lines.push(map.perCpu ? perCpuEntry(map, key, value) : entry(key, value));
    count++;
  }
  return [...lines, found(count)];
}

function entry(key: Uint8Array, value: Uint8Array | string): string {
  const valueSize = typeof value === 'string' ? 0 : value.length;
  const breakNames = key.length > 16 || valueSize > 16;
  const singleLine = key.length + valueSize <= 24 && !breakNames;
  const shownValue = typeof value === 'string' ? `value: ${value}` : labelled('value', value, breakNames);
  return `${labelled('key', key, breakNames)}${singleLine ? '  ' : '\n'}${shownValue}`;
}

/** A per-CPU value block holds every CPU's value, each padded to a multiple of 8 bytes. */
function perCpuEntry(map: BpfMap, key: Uint8Array, block: Uint8Array): string {
  const stride = Math.ceil(map.valueSize / 8) * 8;
  const lines = ['key:', hex(key)];
  for (let cpu = 0; cpu < map.runtime.cpus; cpu++) {
    lines.push(labelled(`value (CPU ${cpuLabel(cpu)})`, block.subarray(cpu * stride, cpu * stride + map.valueSize)));
  }
  return lines.join('\n');
}

const cpuLabel = (cpu: number) => String(cpu).padStart(2, '0');

/** Pop every element, then push them back in the order that restores the map. */
function queueOrStack(map: QueueStackMap): string[] {
  const values = map.drain();
  const oldestFirst = map.type === 'stack' ? [...values].reverse() : values;
  for (const value of oldestFirst) map.push(value);
  return [...values.map((v) => labelled('value', v)), found(values.length)];
}

function records(lines: string[]): string[] {
  return [...lines, found(lines.length, 'record')];
}

function perfRecords(map: PerfEventArrayMap): string[] {
  const lines = records(map.drain().map((r) => labelled(`record (CPU ${cpuLabel(r.cpu)})`, r.data)));
  return map.lost > 0 ? [...lines, `Lost ${map.lost} record${map.lost === 1 ? '' : 's'}`] : lines;
}

function progArray(map: ProgArrayMap): string[] {
  const lines: string[] = [];
  for (let index = 0; index < map.maxEntries; index++) {
    const program = map.get(index);
    if (program === undefined) continue;
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index, true);
    lines.push(entry(key, `program '${program.name || 'anonymous'}'`));
  }
  return [...lines, found(lines.length)];
}
