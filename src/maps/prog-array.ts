import type { Enterable } from '../abi/signals.js';
import { describeValue } from '../arguments.js';
import { BpfMap } from './bpf-map.js';
import { fdArrayNextKey } from './fd-array.js';
import type { MapMemory } from './memory.js';

/** What a program array holds: a program loaded on the map's runtime (a `Program` is one). */
export interface TailCallTarget extends Enterable {
  readonly runtime: MapMemory;
  /** The program's name (its function name, for an object's programs). */
  readonly name: string;
}

/**
 * A program array (BPF_MAP_TYPE_PROG_ARRAY), the jump table of tail calls: slots
 * 0..max_entries-1, each empty or holding a program of the same runtime. The host fills
 * it (the kernel's update with a program fd):
 *
 *   jumps.set(2, parser);
 *   runtime.programAt(jumps.address, 2) === parser   // what bpf_tail_call uses
 *
 * The byte-level lookup and update of the `bpf()` API exchange program fds, which our
 * programs do not have: use set/get, which take and return the program itself.
 */
export class ProgArrayMap extends BpfMap {
  private readonly programs: (TailCallTarget | undefined)[] = [];

  /** Put `program` in slot `index`: E2BIG beyond max_entries, EINVAL for a program of another runtime. */
  set(index: number, program: TailCallTarget): void {
    this.checkAccess('write');
    this.checkIndex(index, 'set');
    if ((typeof program !== 'function' && typeof program !== 'object') || program === null || !('runtime' in program)) {
      throw new TypeError(`${this.argument('set', 'program')} must be a program (what jit() or interpreter() returns), got ${describeValue(program)}`);
    }
    if (program.runtime !== this.runtime) throw this.error('EINVAL', 'set', 'the program belongs to another runtime');
    this.programs[index] = program;
  }

  /** The program in slot `index`, or undefined. */
  get(index: number): TailCallTarget | undefined {
    this.checkU32(index, 'get');
    return this.programs[index];
  }

  /** Empty slot `index` (a number or a u32 key): E2BIG beyond max_entries, ENOENT if already empty. */
  override delete(key: Uint8Array | number): void {
    this.checkAccess('write');
    const index = typeof key === 'number' ? key : this.indexOf(key, 'delete');
    this.checkIndex(index, 'delete');
    if (this.programs[index] === undefined) throw this.error('ENOENT', 'delete', `slot ${index} is empty`);
    this.programs[index] = undefined;
  }

  override lookup(): Uint8Array | undefined {
    throw this.error('EOPNOTSUPP', 'lookup', 'program arrays hold programs: use get(index)');
  }

  override update(): void {
    throw this.error('EOPNOTSUPP', 'update', 'program arrays hold programs: use set(index, program)');
  }

  override nextKey(key?: Uint8Array): Uint8Array | undefined {
    return fdArrayNextKey(key, this.maxEntries, this.describe());
  }

  private indexOf(key: Uint8Array, op: string): number {
    this.stageKey(key, op);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }

  /** An index is a u32 key: TypeError if not a number, RangeError if no u32. */
  private checkU32(index: number, op: string): void {
    if (typeof index !== 'number') throw new TypeError(`${this.argument(op, 'index')} must be a number, got ${describeValue(index)}`);
    if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
      throw new RangeError(`${this.argument(op, 'index')} must be an integer from 0 to 4294967295, got ${index}`);
    }
  }

  private checkIndex(index: number, op: string): void {
    this.checkU32(index, op);
    if (index >= this.maxEntries) throw this.error('E2BIG', op, `index ${index} is beyond max_entries ${this.maxEntries}`);
  }
}
