import { BpfMap } from './bpf-map.js';
import { UPDATE_FLAGS } from './types.js';

/**
 * queue (FIFO) and stack (LIFO) maps: values without keys. The generic operations map
 * to the kernel's syscall behaviour for these types: lookup peeks, update pushes,
 * lookupAndDelete pops; delete and nextKey are EINVAL.
 */
export class QueueStackMap extends BpfMap {
  /** Add a value; when full, MapError E2BIG unless `flags` is BPF_EXIST, which drops the oldest. */
  push(value: Uint8Array, flags: number = UPDATE_FLAGS.ANY): void {
    this.checkAccess('write');
    const v = this.stageValue(value, 'push', this.valueSize);
    this.check(this.wasm.host_push(this.address, v, this.flagsArg(flags, 'push')), 'push');
  }

  /** Remove and return the next value (queue: oldest, stack: newest); undefined if empty. */
  pop(): Uint8Array | undefined {
    this.checkAccess('write');
    return this.take(this.wasm.host_pop(this.address, this.valueSlot), 'pop');
  }

  /** The value `pop` would return, without removing it; undefined if empty. */
  peek(): Uint8Array | undefined {
    this.checkAccess('read');
    return this.take(this.wasm.host_peek(this.address, this.valueSlot), 'peek');
  }

  /** Remove every value (oldest last for a stack, first for a queue); returns them in pop order. */
  drain(): Uint8Array[] {
    const values: Uint8Array[] = [];
    for (let v = this.pop(); v !== undefined; v = this.pop()) values.push(v);
    return values;
  }

  override lookup(_key?: Uint8Array): Uint8Array | undefined {
    return this.peek();
  }

  override update(_key: Uint8Array | undefined, value: Uint8Array, flags: number = UPDATE_FLAGS.ANY): void {
    this.push(value, flags);
  }

  override lookupAndDelete(_key?: Uint8Array): Uint8Array | undefined {
    return this.pop();
  }

  override delete(_key?: Uint8Array): void {
    throw this.error('EINVAL', 'delete', `a ${this.type} has no keys: use pop()`);
  }

  override nextKey(_key?: Uint8Array): Uint8Array | undefined {
    throw this.error('EINVAL', 'nextKey', `a ${this.type} has no keys`);
  }

  private take(result: number, op: string): Uint8Array | undefined {
    this.check(result, op, ['ENOENT']);
    return result === 0 ? this.runtime.bytes().slice(this.valueSlot, this.valueSlot + this.valueSize) : undefined;
  }
}
