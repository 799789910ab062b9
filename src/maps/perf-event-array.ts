import { checkFunction } from '../arguments.js';
import { BpfMap } from './bpf-map.js';
import { fdArrayNextKey } from './fd-array.js';
import { ERRNO } from './map-error.js';
import { checkStreamOptions, recordStream, Wakeup, type StreamOptions } from './record-stream.js';

/** A record a program sent with perf_event_output. */
export interface PerfRecord {
  /** The perf event (CPU) index it was written to. */
  readonly cpu: number;
  readonly data: Uint8Array;
}

/** BPF_F_INDEX_MASK; the index BPF_F_CURRENT_CPU (= the mask) means the current CPU. */
const INDEX_MASK = 0xffff_ffffn;

/** Records a CPU's buffer holds before further ones are lost (-ENOSPC), by default. */
export const DEFAULT_PERF_CAPACITY = 4096;

/**
 * A perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY) with a perf buffer opened for every
 * CPU of the runtime, as libbpf's perf_buffer__new does. perf_event_output copies the
 * record into the buffer of the CPU the program is on; the host reads them:
 *
 *   events.consume(({ cpu, data }) => ...)    // every record now, in output order
 *   events.drain()                            // the same, as an array
 *   for await (const { cpu, data } of events) ...
 *
 * Each CPU's buffer holds `capacity` records; beyond that, output fails with -ENOSPC
 * and `lost` counts the record, as a full perf ring does.
 */
export class PerfEventArrayMap extends BpfMap {
  /** Records each CPU's buffer holds before output fails with -ENOSPC. */
  capacity = DEFAULT_PERF_CAPACITY;
  /** Records dropped because a CPU's buffer was full. */
  lost = 0;
  private queue: PerfRecord[] = [];
  private readonly pending: number[] = [];
  private readonly wakeup = new Wakeup();

  /**
   * The kernel's __bpf_perf_event_output checks: flags other than the index -EINVAL; index
   * (BPF_F_CURRENT_CPU: the current CPU) >= max_entries -E2BIG; no perf event at the
   * index (we have one per CPU of the runtime) -ENOENT; an event of another CPU
   * -EOPNOTSUPP; a full buffer -ENOSPC. Returns 0 or the negative errno.
   */
  output(flags: bigint, data: Uint8Array): number {
    if (flags & ~INDEX_MASK) return -ERRNO.EINVAL;
    const cpu = this.runtime.cpu;
    const index = flags === INDEX_MASK ? cpu : Number(flags);
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    if (index >= this.runtime.cpus) return -ERRNO.ENOENT;
    if (index !== cpu) return -ERRNO.EOPNOTSUPP;
    if ((this.pending[index] ?? 0) >= this.capacity) {
      this.lost++;
      return -ERRNO.ENOSPC;
    }
    this.pending[index] = (this.pending[index] ?? 0) + 1;
    this.queue.push({ cpu: index, data: data.slice() });
    this.wakeup.wake();
    return 0;
  }

  /** Deliver every record now to `callback`, oldest first; returns the count. */
  consume(callback: (record: PerfRecord) => void): number {
    // Checked before drain(), which empties the buffers.
    checkFunction(this.argument('consume', 'callback'), callback);
    const records = this.drain();
    records.forEach(callback);
    return records.length;
  }

  /** Every record now, oldest first. */
  drain(): PerfRecord[] {
    const records = this.queue;
    this.queue = [];
    this.pending.fill(0);
    return records;
  }

  /** Records as they come; waits (without polling) when there are none. */
  records(options: StreamOptions = {}): AsyncGenerator<PerfRecord, void, undefined> {
    return recordStream(() => this.drain(), this.wakeup, checkStreamOptions(`records() on ${this.describe()}`, options));
  }

  [Symbol.asyncIterator](): AsyncGenerator<PerfRecord, void, undefined> {
    return this.records();
  }

  override lookup(): Uint8Array | undefined {
    throw this.error('EOPNOTSUPP', 'lookup', 'perf event records are read with consume(), drain() or for await');
  }

  override update(): void {
    throw this.error('EOPNOTSUPP', 'update', 'the runtime opens a perf buffer for every CPU itself');
  }

  override delete(): void {
    throw this.error('EOPNOTSUPP', 'delete', 'the runtime opens a perf buffer for every CPU itself');
  }

  override nextKey(key?: Uint8Array): Uint8Array | undefined {
    return fdArrayNextKey(key, this.maxEntries, this.describe());
  }
}
