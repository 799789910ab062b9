import { describe, expect, it } from 'vitest';
import { assemble } from '../src/decode/asm.js';
import { HELPER_IDS } from '../src/abi/kernel-ids.js';
import { kernelHelpers } from '../src/helpers/kernel.js';
import { formatTrace } from '../src/helpers/trace-printk.js';
import { jit } from '../src/jit/jit.js';
import { interpreter } from '../src/interp/interpreter.js';
import type { EngineName } from '../src/runtime/program.js';
import { Runtime, type RuntimeOptions } from '../src/runtime/runtime.js';

/** Run assembler text in one engine on a fresh runtime with the kernel helpers. */
function run(engine: EngineName, text: string, mem = new Uint8Array(0), options: RuntimeOptions = {}): { r0: bigint; runtime: Runtime } {
  const runtime = new Runtime({ helpers: kernelHelpers(), ...options });
  const prog = engine === 'jit' ? jit(assemble(text), { runtime }) : interpreter(assemble(text), { runtime });
  return { r0: prog(mem), runtime };
}

const engines: EngineName[] = ['interp', 'jit'];

/** Store a NUL-terminated string on the stack at [r10 - n] (8-byte words) and point r1 at it. */
function stackString(s: string): string {
  const bytes = Buffer.from(s + '\0', 'latin1');
  const padded = Buffer.alloc(Math.ceil(bytes.length / 8) * 8);
  bytes.copy(padded);
  const lines: string[] = [];
  for (let i = 0; i < padded.length; i += 8) {
    lines.push(`lddw %r1, 0x${padded.readBigUInt64LE(i).toString(16)}`, `stxdw [%r10-${padded.length - i}], %r1`);
  }
  lines.push('mov %r1, %r10', `sub %r1, ${padded.length}`, `mov %r2, ${bytes.length}`);
  return lines.join('\n');
}

describe.each(engines)('kernel helpers (%s)', (engine) => {
  it('ktime_get_ns and ktime_get_boot_ns are monotonic nanoseconds', () => {
    const before = process.hrtime.bigint();
    const { r0 } = run(engine, `call ${HELPER_IDS.ktime_get_ns}\nmov %r6, %r0\ncall ${HELPER_IDS.ktime_get_boot_ns}\nsub %r0, %r6\nexit`);
    expect(r0 < 1_000_000_000n).toBe(true);
    const { r0: now } = run(engine, `call ${HELPER_IDS.ktime_get_ns}\nexit`);
    expect(now >= before && now <= process.hrtime.bigint()).toBe(true);
  });

  it('get_prandom_u32 follows the runtime seed', () => {
    const text = `call ${HELPER_IDS.get_prandom_u32}\nmov %r6, %r0\ncall ${HELPER_IDS.get_prandom_u32}\nlsh %r0, 32\nor %r0, %r6\nexit`;
    const a = run(engine, text, undefined, { seed: 42 }).r0;
    expect(run(engine, text, undefined, { seed: 42 }).r0).toBe(a);
    expect(run(engine, text, undefined, { seed: 43 }).r0).not.toBe(a);
    const reference = new Runtime({ seed: 42 });
    const first = BigInt(reference.nextRandomU32());
    expect(a).toBe((BigInt(reference.nextRandomU32()) << 32n) | first);
  });

  it('get_smp_processor_id is the runtime cpu; get_current_pid_tgid is the process id twice', () => {
    expect(run(engine, `call ${HELPER_IDS.get_smp_processor_id}\nexit`, undefined, { cpus: 4, cpu: 3 }).r0).toBe(3n);
    const pid = BigInt(process.pid);
    expect(run(engine, `call ${HELPER_IDS.get_current_pid_tgid}\nexit`).r0).toBe((pid << 32n) | pid);
  });

  it('trace_printk formats like the kernel and sends the message to the sink', () => {
    const lines: string[] = [];
    const text = `${stackString('pid %d got %llx (%s) %c %5u|%-3d|%%\n')}\nmov %r3, -7\nlddw %r4, 0x1122334455667788\nmov %r5, 0\ncall ${HELPER_IDS.trace_printk}\nexit`;
    const { r0 } = run(engine, text, undefined, { trace: (m) => lines.push(m) });
    // %s of a null pointer is a fault; only three conversions are allowed, so %c etc. fail.
    expect(lines).toEqual([]);
    expect(BigInt.asIntN(64, r0)).toBe(-22n);
    const ok = `${stackString('pid %d got %llx [%-5x|%%]\n')}\nmov %r3, -7\nlddw %r4, 0x1122334455667788\nmov %r5, 42\ncall ${HELPER_IDS.trace_printk}\nexit`;
    const result = run(engine, ok, undefined, { trace: (m) => lines.push(m) });
    const expected = 'pid -7 got 1122334455667788 [2a   |%]\n';
    expect(lines).toEqual([expected]);
    expect(result.r0).toBe(BigInt(expected.length));
  });

  it('trace_printk prints %s from program memory and rejects a format without its NUL', () => {
    const lines: string[] = [];
    const text = `${stackString('hi %s!')}\nmov %r3, %r1\ncall ${HELPER_IDS.trace_printk}\nexit`;
    expect(run(engine, text, undefined, { trace: (m) => lines.push(m) }).r0).toBe(BigInt('hi hi %s!!'.length));
    expect(lines).toEqual(['hi hi %s!!']);
    const cut = `${stackString('abcdef')}\nmov %r2, 3\ncall ${HELPER_IDS.trace_printk}\nexit`;
    expect(BigInt.asIntN(64, run(engine, cut, undefined, { trace: (m) => lines.push(m) }).r0)).toBe(-22n);
  });
});

/** bpf_loop programs: sum of i*i over the calls made, stopping early when the callback returns 1. */
const loopProgram = (count: number, stopAt: number, flags = 0) => `
  mov %r6, 0
  stxdw [%r10-8], %r6        # ctx: the running sum, on the stack
  mov %r1, ${count}
  lddw %r2, func(callback)
  mov %r3, %r10
  sub %r3, 8
  mov %r4, ${flags}
  call ${HELPER_IDS.loop}
  ldxdw %r1, [%r10-8]
  lsh %r0, 32
  or %r0, %r1                # r0 = calls << 32 | sum
  exit
callback:
  mov %r0, %r1
  mul %r0, %r1
  ldxdw %r3, [%r2]
  add %r3, %r0
  stxdw [%r2], %r3
  mov %r0, 0
  jne %r1, ${stopAt}, +1
  mov %r0, 1
  exit
`;

describe.each(engines)('bpf_loop (%s)', (engine) => {
  const sumSquares = (n: number) => BigInt((n - 1) * n * (2 * n - 1) / 6);

  it('calls the callback nr_loops times with the index and ctx', () => {
    expect(run(engine, loopProgram(10, -1)).r0).toBe((10n << 32n) | sumSquares(10));
  });

  it('stops when the callback returns non-zero and returns the calls made', () => {
    expect(run(engine, loopProgram(10, 3)).r0).toBe((4n << 32n) | sumSquares(4));
  });

  it('returns 0 for zero loops, -EINVAL for flags, -E2BIG above 2^23', () => {
    const calls = (text: string) => BigInt.asIntN(32, run(engine, text).r0 >> 32n);
    expect(calls(loopProgram(0, -1))).toBe(0n);
    expect(calls(loopProgram(5, -1, 1))).toBe(-22n);
    expect(calls(loopProgram((1 << 23) + 1, -1))).toBe(-7n);
  });

  it('traps on a callback that is not a function, and on nesting past the frame limit', () => {
    const bad = `mov %r1, 1\nmov %r2, 5\nmov %r3, 0\nmov %r4, 0\ncall ${HELPER_IDS.loop}\nexit`;
    expect(() => run(engine, bad)).toThrow(expect.objectContaining({ code: 'BAD_CALL_TARGET', pc: 4 }));
    const recurse = `
      mov %r1, 1
      lddw %r2, func(cb)
      mov %r3, 0
      mov %r4, 0
      call ${HELPER_IDS.loop}
      exit
    cb:
      mov %r1, 1
      lddw %r2, func(cb)
      mov %r4, 0
      call ${HELPER_IDS.loop}
      exit`;
    expect(() => run(engine, recurse)).toThrow(expect.objectContaining({ code: 'CALL_DEPTH_EXCEEDED' }));
  });

  it('charges the budget for every callback call, so nested loops end (2^23 x 2^23 calls otherwise)', () => {
    const nested = `
      mov %r1, 0x800000
      lddw %r2, func(outer)
      mov %r3, 0
      mov %r4, 0
      call ${HELPER_IDS.loop}
      exit
    outer:
      mov %r1, 0x800000
      lddw %r2, func(inner)
      mov %r4, 0
      call ${HELPER_IDS.loop}
      mov %r0, 0
      exit
    inner:
      mov %r0, 0
      exit`;
    const insns = assemble(nested);
    const runtime = new Runtime({ helpers: kernelHelpers() });
    const prog = engine === 'jit' ? jit(insns, { runtime, budget: 1_000_000 }) : interpreter(insns, { runtime, budget: 1_000_000 });
    expect(() => prog()).toThrow(expect.objectContaining({ code: 'BUDGET_EXHAUSTED' }));
  });
});

describe('formatTrace', () => {
  const env = { runtime: new Runtime(), pc: 0 };
  const f = (fmt: string, ...args: bigint[]) => formatTrace(fmt, [...args, 0n, 0n, 0n].slice(0, 3), env);

  it('pads, signs and sizes integers like printf', () => {
    expect(f('%5d|%-5d|%05d', 42n, 42n, -42n)).toBe('   42|42   |-0042');
    expect(f('%+d|% d|%#x', 5n, 5n, 255n)).toBe('+5| 5|0xff');
    expect(f('%d %u %x', 0xffff_ffffn, 0xffff_ffffn, 0x1_0000_0010n)).toBe('-1 4294967295 10');
    expect(f('%ld %lu %llX', 0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_ffffn, 0xabcn)).toBe('-1 18446744073709551615 ABC');
    expect(f('%.3d|%c|%p', 7n, 65n, 0x1000n)).toBe('007|A|0x1000');
  });

  it('rejects what the kernel rejects', () => {
    expect(() => f('%d %d %d %d', 1n, 2n, 3n)).toThrow();
    expect(() => f('%q', 1n)).toThrow();
    expect(() => f('100%', 1n)).toThrow();
  });
});
