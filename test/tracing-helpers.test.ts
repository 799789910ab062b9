import { describe, expect, it } from 'vitest';
import { assemble, interpreter, jit, Runtime, u32, u64 } from '../src/index.js';

/**
 * The helpers tracing programs use to read about their task and memory by address
 * (helpers/tracing.ts), and jiffies64 / get_numa_node_id (helpers/system.ts), in both
 * engines. The kernel corpus checks their prototypes; this checks what they return.
 */

const ENGINES = { jit, interpreter } as const;
const PT_REGS = new Uint8Array(168);

describe.each(Object.entries(ENGINES))('tracing helpers (%s)', (_name, engine) => {
  it('get_current_comm writes the task name NUL-terminated and zero-padded', () => {
    const prog = engine(assemble(`
      mov %r1, %r10
      add %r1, -16
      mov %r2, 16
      call 16
      ldxdw %r0, [%r10-16]
      exit`), { programType: 'kprobe' });
    const name = new TextEncoder().encode(process.title).subarray(0, 8);
    const expected = new Uint8Array(8);
    expected.set(name.subarray(0, 8));
    expect(u64(prog(PT_REGS))).toEqual(expected);
  });

  it('probe_read_kernel reads what programs may read and gives -EFAULT, zeroed, elsewhere', () => {
    const runtime = new Runtime();
    const values = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 });
    values.update(u32(0), u64(0x1122334455667788n));
    const readAt = (address: bigint) => engine(assemble(`
      stdw [%r10-8], -1
      mov %r1, %r10
      add %r1, -8
      mov %r2, 8
      lddw %r3, ${address}
      call 113
      ldxdw %r1, [%r10-8]
      lsh %r0, 32
      or %r0, %r1
      exit`), { runtime, programType: 'kprobe' })(PT_REGS);
    const value = BigInt(values.valueAddress(u32(0))!);
    expect(readAt(value)).toBe(0x1122334455667788n); // r0 = 0, the value read
    // The map's own descriptor is not program memory: -EFAULT (-14) and the buffer zeroed.
    expect(readAt(BigInt(values.address))).toBe(BigInt.asUintN(64, -14n << 32n));
  });

  it('jiffies64 counts up in ticks and get_numa_node_id is node 0', () => {
    const prog = engine(assemble('call 118\nmov %r6, %r0\ncall 42\nadd %r0, %r6\nexit'), {});
    const first = prog(new Uint8Array(0));
    expect(first).toBeGreaterThan(0n);
    expect(prog(new Uint8Array(0))).toBeGreaterThanOrEqual(first);
  });
});
