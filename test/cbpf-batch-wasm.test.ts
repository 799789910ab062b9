/**
 * The classic-to-Wasm batch compiler (src/packet/cbpf/wasm): random programs the kernel
 * accepts, without ancillary loads (which it leaves to the eBPF route), give each packet
 * the independent reference's verdict and the eBPF translation's in the interpreter;
 * a batch table that does not lie in the input traps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cbpfInsn, PacketFilter, parseCapture, Runtime, RuntimeTrap, translateCbpfBatch, validateCbpf, type CbpfInsn } from '../src/index.js';
import { batchWasmSupports } from '../src/packet/cbpf/wasm/batch-module.js';
import { runReference } from './support/cbpf-reference.js';
import { thrown } from './support/errors.js';

const I = cbpfInsn;
const mixed = [...parseCapture(readFileSync(new URL('./fixtures/captures/mixed.pcap', import.meta.url)))].map((p) => p.data);

const LOADS = [0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1, 0x80, 0x81, 0x00, 0x01, 0x60, 0x61];
const OFFSETS = [0, 1, 12, 14, 20, 23, 40, 59, 62, 63, 64, 0xfff00009, 0xffe00006, 0xfffffff0, 0x80000000, 0x7ffffffe];
const ALU = [0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x94, 0xa4, 0x84, 0x0c, 0x1c, 0x2c, 0x3c, 0x4c, 0x5c, 0x6c, 0x7c, 0x9c, 0xac];
const JUMPS = [0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d];

/** A random program of up to 16 instructions; undefined if the kernel's checks refuse it (M[] read first, say). */
function randomProgram(rand: () => number): CbpfInsn[] | undefined {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const prog: CbpfInsn[] = [];
  const len = 2 + Math.floor(rand() * 14);
  for (let i = 0; i < len; i++) {
    const left = len - i;
    const r = rand();
    if (r < 0.35) {
      const code = pick(LOADS);
      prog.push(I(code, 0, 0, (code & 0x60) === 0x60 ? Math.floor(rand() * 4) : pick(OFFSETS)));
    } else if (r < 0.45) prog.push(I(pick([0x02, 0x03]), 0, 0, Math.floor(rand() * 4)));
    else if (r < 0.5) prog.push(I(pick([0x07, 0x87])));
    else if (r < 0.7) prog.push(I(pick(ALU), 0, 0, pick([1, 2, 7, 31, 0x800, 0xffffffff])));
    else if (left > 1) prog.push(I(pick(JUMPS), Math.floor(rand() * left), Math.floor(rand() * left), pick([0, 1, 6, 0x800, 0x86dd, 64, 0x80000000])));
    else prog.push(I(pick([0x06, 0x16]), 0, 0, 0x40000));
  }
  prog.push(I(pick([0x16, 0x06]), 0, 0, 0xffff));
  try {
    validateCbpf(prog);
    return prog;
  } catch {
    return undefined;
  }
}

/** Every packet load, its value returned: each offset form (absolute, X-relative, SKF_NET_OFF/SKF_LL_OFF-relative, past the end). */
function loadPrograms(): CbpfInsn[][] {
  const progs: CbpfInsn[][] = [];
  for (const k of OFFSETS) {
    for (const code of [0x20, 0x28, 0x30]) progs.push([I(code, 0, 0, k), I(0x16)]);
    progs.push([I(0xb1, 0, 0, k), I(0x87), I(0x16)]);
    for (const x of [0, 2, 0xfffffffe]) for (const code of [0x40, 0x48, 0x50]) progs.push([I(0x01, 0, 0, x), I(code, 0, 0, k), I(0x16)]);
  }
  return progs.filter((p) => !(p[0].code & 0x20 && p[0].k >= 0xfffff000));
}

describe('classic programs compiled straight to Wasm', () => {
  const packets = [new Uint8Array(0), mixed[3].subarray(0, 10), mixed[5].subarray(0, 30), ...mixed.filter((_, i) => i % 13 === 0)];

  it('read the bytes the reference reads, at every offset form', () => {
    const runtime = new Runtime();
    for (const prog of loadPrograms()) {
      expect([...PacketFilter.fromCbpf(prog, { runtime }).filter(packets).verdicts], JSON.stringify(prog)).toEqual(packets.map((p) => runReference(prog, p)));
    }
  });

  it('give the reference\'s verdicts and the eBPF route\'s, short and cut frames included', () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const direct = new Runtime();
    const interp = new Runtime();
    let compiled = 0;
    for (let n = 0; n < 400; n++) {
      const prog = randomProgram(rand);
      if (!prog) continue;
      compiled++;
      expect(batchWasmSupports(prog, validateCbpf(prog))).toBe(true);
      const got = PacketFilter.fromCbpf(prog, { runtime: direct }).filter(packets);
      const want = packets.map((p) => runReference(prog, p));
      expect([...got.verdicts], JSON.stringify(prog)).toEqual(want);
      expect(got.matches).toBe(want.filter((v) => v !== 0).length);
      expect([...PacketFilter.fromCbpf(prog, { engine: 'interp', runtime: interp }).filter(packets).verdicts], JSON.stringify(prog)).toEqual(want);
    }
    expect(compiled).toBeGreaterThan(150);
  });

  it('list the eBPF translation as their instructions', () => {
    const prog = [I(0x28, 0, 0, 12), I(0x15, 0, 1, 0x800), I(0x06, 0, 0, 0x40000), I(0x06)];
    const { program } = PacketFilter.fromCbpf(prog);
    expect(program.engine).toBe('jit');
    expect(program.insns).toEqual(translateCbpfBatch(prog, validateCbpf(prog)));
  });

  it('leave programs with ancillary loads to the eBPF route', () => {
    const prog = [I(0x28, 0, 0, 0xfffff000), I(0x16)];
    expect(batchWasmSupports(prog, validateCbpf(prog))).toBe(false);
    expect(PacketFilter.fromCbpf(prog).match(mixed[0])).toBe(runReference(prog, mixed[0]));
  });

  it('trap on a batch table that does not lie in the input', () => {
    const { program } = PacketFilter.fromCbpf([I(0x06, 0, 0, 1)]);
    const words = new Uint32Array(program.input(64).buffer, program.input(64).byteOffset, 16);
    words.set([1000, 0]); // 1000 packets' table in 64 bytes
    expect(thrown(() => program.runInput(64), RuntimeTrap).code).toBe('BATCH_TABLE');
    words.set([1, 0, 40, 30]); // one packet, bytes 40..70 of 64
    expect(thrown(() => program.runInput(64), RuntimeTrap).code).toBe('BATCH_TABLE');
    words.set([1, 0, 40, 24]); // bytes 40..64: inside
    expect(program.runInput(64)).toBe(1n);
    expect(words[4]).toBe(1);
    words.set([1, 30, 40, 24]); // the bias moves it to 70..94
    expect(thrown(() => program.runInput(64), RuntimeTrap).code).toBe('BATCH_TABLE');
  });

  it('place each packet at its offset plus the header\'s bias, mod 2^32, as the eBPF route does', () => {
    // ld [0]; ret a: a packet's first word is its verdict.
    const prog = [I(0x20, 0, 0, 0), I(0x16)];
    for (const engine of ['jit', 'interp'] as const) {
      const { program } = PacketFilter.fromCbpf(prog, { engine });
      const input = program.input(64);
      const words = new Uint32Array(input.buffer, input.byteOffset, 16);
      words.set([0x11223344, 0x55667788], 8); // bytes 32..40, big-endian words: 0x44332211, 0x88776655
      // Two packets given from a first one 12 bytes further on: offsets 0 and -4 (u32), bias 36.
      words.set([2, 36, 0, 4, 0xfffffffc, 4]);
      expect(program.runInput(64), engine).toBe(2n);
      expect([words[6], words[7]], engine).toEqual([0x88776655, 0x44332211]);
    }
  });
});
