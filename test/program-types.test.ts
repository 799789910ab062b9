import { describe, expect, it } from 'vitest';
import {
  assemble, interpreter, jit, PROGRAM_TYPE_INFO, programTypeOfSection, Runtime, RuntimeTrap, SK_BUFF, XDP_MD,
  type Insn, type Program, type ProgramType,
} from '../src/index.js';
import { trapOf } from './support/errors.js';

/**
 * Program types beyond what the kernel recording (program-types-kernel.test.ts) checks:
 * the tracing contexts, the limits of each type's input, the zero-copy path, and the
 * SEC() names libbpf maps to types.
 */

const ENGINES = [jit, interpreter] as const;

/**
 * The program in both engines. `checked`: past the verifier's strict rules, so that the
 * run-time checks behind them can be tested (a kernel type is strict by default).
 */
function both(source: string, programType: ProgramType, verify: 'strict' | 'checked' = 'strict'): Program[] {
  return ENGINES.map((engine) => engine(assemble(source), { programType, verify }));
}

/** An Ethernet frame of `length` bytes with EtherType `type` (0x88b5, a local experimental one, by default). */
function frame(length: number, type = 0x88b5): Uint8Array {
  const bytes = Uint8Array.from({ length }, (_, i) => i & 0xff);
  bytes[12] = type >> 8;
  bytes[13] = type & 0xff;
  return bytes;
}

describe('tracing contexts', () => {
  it('a kprobe reads its bytes, zero-padded to struct pt_regs, and may not write them', () => {
    const last = PROGRAM_TYPE_INFO.kprobe.contextSize - 8;
    for (const prog of both(`ldxdw %r0, [%r1+0]\nldxdw %r2, [%r1+${last}]\nadd %r0, %r2\nexit`, 'kprobe')) {
      expect(prog(Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 1))).toBe((1n << 56n) + 5n);
      expect(() => prog(new Uint8Array(PROGRAM_TYPE_INFO.kprobe.contextSize + 1))).toThrow(RangeError);
    }
    expect(() => both('stw [%r1+0], 7\nmov %r0, 0\nexit', 'kprobe')).toThrow(/invalid bpf_context access off=0 size=4/);
    for (const prog of both('stw [%r1+0], 7\nmov %r0, 0\nexit', 'kprobe', 'checked')) {
      expect(trapOf(() => prog(new Uint8Array(8)))).toMatchObject({ code: 'OUT_OF_BOUNDS', pc: 0 });
    }
  });

  it('a tracepoint\'s context is as long as its bytes: a read past them traps', () => {
    // The verifier cannot know a record's length: the read past the 8-byte common header keeps its check.
    for (const prog of both('ldxw %r0, [%r1+8]\nexit', 'tracepoint')) {
      expect(prog(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0))).toBe(42n);
      expect(trapOf(() => prog(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)))).toMatchObject({ code: 'OUT_OF_BOUNDS', pc: 0 });
    }
    expect(() => both('ldxw %r0, [%r1+4]\nexit', 'tracepoint')).toThrow(/invalid bpf_context access off=4 size=4/);
  });
});

describe('packet contexts', () => {
  it('an XDP program reads data and data_end, writes the packet, and gets it back as data_out', () => {
    const swapFirstBytes = `
      ldxw %r2, [%r1+${XDP_MD.data}]
      ldxw %r3, [%r1+${XDP_MD.data_end}]
      mov %r4, %r2
      add %r4, 2
      jgt %r4, %r3, short
      ldxb %r5, [%r2+0]
      ldxb %r6, [%r2+1]
      stxb [%r2+0], %r6
      stxb [%r2+1], %r5
      mov %r0, %r3
      sub %r0, %r2
      exit
    short:
      mov %r0, 0
      exit`;
    for (const prog of both(swapFirstBytes, 'xdp')) {
      const packet = frame(20);
      const { r0, dataOut, memory } = prog.run(packet);
      expect(r0).toBe(20n);
      expect([...dataOut!.subarray(0, 3)]).toEqual([1, 0, 2]);
      expect(memory[0]).toBe(0); // the caller's array is the kernel's data_in: left alone
    }
  });

  it('presents an XDP packet where input() gives it, for runs without a copy', () => {
    const readEtherTypeLow = `
      ldxw %r2, [%r1+${XDP_MD.data}]
      ldxw %r3, [%r1+${XDP_MD.data_end}]
      mov %r4, %r2
      add %r4, 14
      mov %r0, 0
      jgt %r4, %r3, +1
      ldxb %r0, [%r2+13]
      exit`;
    for (const prog of both(readEtherTypeLow, 'xdp')) {
      prog.input(14).set(frame(14, 0x0842));
      expect(prog.runInput(14)).toBe(0x42n);
    }
  });

  it('refuses frames the kernel refuses, as RangeErrors', () => {
    for (const type of ['xdp', 'socket_filter', 'sched_cls'] as const) {
      for (const prog of both('mov %r0, 0\nexit', type)) {
        expect(() => prog(frame(13)), type).toThrow(RangeError);
        expect(prog(frame(14)), type).toBe(0n);
      }
    }
    for (const prog of both('mov %r0, 0\nexit', 'xdp')) {
      expect(prog(frame(3520))).toBe(0n);
      expect(() => prog(frame(3521))).toThrow(/3520/);
    }
    for (const prog of both('mov %r0, 0\nexit', 'sched_cls')) {
      expect(prog(frame(3712))).toBe(0n);
      expect(() => prog(frame(3713))).toThrow(/3712/);
      expect(() => prog(frame(33, 0x0800))).toThrow(/IPv4/);
      expect(prog(frame(34, 0x0800))).toBe(0n);
      expect(() => prog(frame(53, 0x86dd))).toThrow(/IPv6/);
    }
  });

  it('a socket filter sees the packet after its Ethernet header; LD_ABS reads there, SKF_LL_OFF reads the header', () => {
    const source = `
      mov %r6, %r1
      ldabsb 0
      mov %r7, %r0
      ldabsb -2097139
      lsh %r7, 8
      or %r0, %r7
      exit`;
    for (const prog of both(source, 'socket_filter')) {
      // frame byte 14 is 14; SKF_LL_OFF + 13 is frame byte 13 (0xb5).
      expect(prog(frame(20))).toBe((14n << 8n) | 0xb5n);
    }
  });

  it('ends the program with r0 = 0 below an skb\'s buffer and past its end', () => {
    for (const type of ['socket_filter', 'sched_cls'] as const) {
      for (const prog of both('mov %r6, %r1\nmov %r0, 7\nldabsw -2097153\nexit', type)) expect(prog(frame(20)), type).toBe(0n);
      for (const prog of both('mov %r6, %r1\nmov %r0, 7\nldabsb 100\nexit', type)) expect(prog(frame(20)), type).toBe(0n);
    }
  });

  it('keeps a read-only context out of reach of stores, in both engines alike', () => {
    expect(() => both('stw [%r1+0], 1\nmov %r0, 0\nexit', 'xdp')).toThrow(/invalid bpf_context access off=0 size=4/);
    for (const prog of both('stw [%r1+0], 1\nmov %r0, 0\nexit', 'xdp', 'checked')) {
      expect(trapOf(() => prog(frame(14)))).toBeInstanceOf(RuntimeTrap);
      expect(trapOf(() => prog(frame(14)))).toMatchObject({ code: 'OUT_OF_BOUNDS', pc: 0 });
    }
    for (const prog of both(`stw [%r1+${SK_BUFF.cb}], 9\nldxw %r0, [%r1+${SK_BUFF.cb}]\nexit`, 'sched_cls')) {
      expect(prog(frame(14))).toBe(9n);
    }
  });
});

describe('packet helpers beyond the recording', () => {
  it('perf_event_output from XDP appends (flags >> 32) packet bytes to the record, and fails past the packet', () => {
    for (const engine of ENGINES) {
      const runtime = new Runtime({ cpus: 1 });
      const events = runtime.createMap({ type: 'perf_event_array', keySize: 4, valueSize: 4, maxEntries: 1 });
      const output = (bytes: number) => engine(assemble(`
        stw [%r10-4], 0x11223344
        lddw %r2, map_fd(${events.fd})
        lddw %r3, ${(BigInt(bytes) << 32n) | 0xffff_ffffn}
        mov %r4, %r10
        add %r4, -4
        mov %r5, 4
        call 25
        exit`), { runtime, programType: 'xdp' });
      expect(output(6)(frame(20))).toBe(0n);
      expect(events.drain().map((r) => [...r.data])).toEqual([[0x44, 0x33, 0x22, 0x11, 0, 1, 2, 3, 4, 5]]);
      expect(BigInt.asIntN(64, output(21)(frame(20)))).toBe(-14n); // -EFAULT
      expect(events.drain()).toEqual([]);
    }
  });
});

describe('types from SEC() names, as libbpf derives them', () => {
  it('maps the sections of the types we run, raw for names libbpf does not know, and refuses the others by name', () => {
    const cases: [string, ProgramType][] = [
      ['socket', 'socket_filter'], ['xdp', 'xdp'], ['xdp.frags', 'xdp'], ['tc', 'sched_cls'], ['tc/ingress', 'sched_cls'],
      ['classifier', 'sched_cls'], ['kprobe/do_sys_open', 'kprobe'], ['kretprobe/x', 'kprobe'], ['kprobe', 'kprobe'],
      ['tracepoint/syscalls/sys_enter_execve', 'tracepoint'], ['tp/sched/sched_process_exit', 'tracepoint'],
      ['raw', 'raw'], ['raw/sum', 'raw'], ['prog', 'raw'], ['socket2', 'raw'], ['xdp_other', 'raw'],
    ];
    for (const [section, type] of cases) expect([section, programTypeOfSection(section)]).toEqual([section, type]);
    for (const section of ['fentry/tcp_v4_connect', 'lsm/file_open', 'cgroup/skb', 'raw_tp/sys_enter', 'perf_event']) {
      expect(() => programTypeOfSection(section), section).toThrow(/UNSUPPORTED_PROGRAM_TYPE|does not run/);
    }
  });
});

describe('the program type in the load stage', () => {
  it('refuses LD_ABS where the type has no skb, and helpers the type may not call', () => {
    const cases: [string, ProgramType, string, number][] = [
      ['mov %r6, %r1\nldabsb 0\nexit', 'xdp', 'LD_ABS_NOT_ALLOWED', 1],
      ['mov %r6, %r1\nldindb %r2, 0\nexit', 'kprobe', 'LD_ABS_NOT_ALLOWED', 1],
      ['mov %r2, 0\ncall 44\nexit', 'socket_filter', 'HELPER_NOT_ALLOWED', 1],
      ['mov %r2, 0\ncall 9\nexit', 'socket_filter', 'HELPER_NOT_ALLOWED', 1],
      ['mov %r2, 0\ncall 26\nexit', 'xdp', 'HELPER_NOT_ALLOWED', 1],
      ['mov %r2, 0\ncall 28\nexit', 'raw', 'HELPER_NOT_ALLOWED', 1],
    ];
    for (const [source, programType, code, pc] of cases) {
      for (const engine of ENGINES) {
        expect(() => engine(assemble(source), { programType }), `${programType}: ${source}`).toThrow(expect.objectContaining({ code, pc }));
      }
    }
    const bad = assemble('exit') as Insn[];
    for (const engine of ENGINES) expect(() => engine(bad, { programType: 'lwt' as ProgramType })).toThrow(RangeError);
  });
});
