import { describe, expect, it } from 'vitest';
import { interpret, interpreter } from '../src/interp/interpreter.js';
import { Runtime } from '../src/runtime/runtime.js';
import { trapOf } from './support/errors.js';
import { exit, I, lddw, movi, movr, named, prog, u64le, type Draft } from './support/build.js';

const M = 0xffff_ffff_ffff_ffffn;
const counting = () => Uint8Array.from({ length: 16 }, (_, i) => i + 1);

function readU64(mem: Uint8Array, at: number): bigint {
  return new DataView(mem.buffer, mem.byteOffset).getBigUint64(at, true);
}

describe('loads', () => {
  it.each(named([
    ['ldxb', 0, 0x01n], ['ldxh', 0, 0x0201n], ['ldxw', 0, 0x0403_0201n], ['ldxdw', 0, 0x0807_0605_0403_0201n],
    ['ldxdw', 8, 0x100f_0e0d_0c0b_0a09n], ['ldxb', 15, 0x10n], ['ldxw', 12, 0x100f_0e0dn],
  ] as const))('%s (little-endian, zero-extended)', (_name, op, off, want) => {
    // r0 holds junk first: the load must replace all 64 bits.
    expect(interpret(prog(lddw(0, M), I(op, { dst: 0, src: 1, off }), exit()), counting())).toBe(want);
  });

  it.each(named([
    ['ldxsb', 0x80n, 0xffff_ffff_ffff_ff80n], ['ldxsb', 0x7fn, 0x7fn],
    ['ldxsh', 0x8000n, 0xffff_ffff_ffff_8000n], ['ldxsh', 0x7fffn, 0x7fffn],
    ['ldxsw', 0x8000_0000n, 0xffff_ffff_8000_0000n], ['ldxsw', 0x7fff_ffffn, 0x7fff_ffffn],
  ] as const))('%s sign-extends', (_name, op, stored, want) => {
    expect(interpret(prog(I(op, { dst: 0, src: 1, off: 0 }), exit()), u64le(stored))).toBe(want);
  });

  it('reads through a negative offset', () => {
    expect(interpret(prog(I('add', { dst: 1, imm: 8 }), I('ldxb', { dst: 0, src: 1, off: -8 }), exit()), counting())).toBe(1n);
  });
});

describe('stores', () => {
  const store = (...drafts: Draft[]) => {
    const mem = new Uint8Array(16).fill(0xaa);
    interpret(prog(...drafts, movi(0, 0), exit()), mem);
    return [...mem];
  };
  const aa = (n: number) => new Array<number>(n).fill(0xaa);

  it('st writes the imm sign-extended, then truncated to the size', () => {
    expect(store(I('stdw', { dst: 1, off: 0, imm: -1 }))).toEqual([...new Array(8).fill(0xff), ...aa(8)]);
    expect(store(I('stw', { dst: 1, off: 4, imm: -2 }))).toEqual([...aa(4), 0xfe, 0xff, 0xff, 0xff, ...aa(8)]);
    expect(store(I('sth', { dst: 1, off: 0, imm: 0x12345 }))).toEqual([0x45, 0x23, ...aa(14)]);
    expect(store(I('stb', { dst: 1, off: 15, imm: 0x1ff }))).toEqual([...aa(15), 0xff]);
    expect(store(I('stdw', { dst: 1, off: 8, imm: 0x7fff_ffff }))).toEqual([...aa(8), 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]);
  });

  it('stx writes the low bytes of the register, little-endian', () => {
    const v = lddw(2, 0x1122_3344_5566_7788n);
    expect(store(v, I('stxb', { dst: 1, src: 2, off: 0 }))).toEqual([0x88, ...aa(15)]);
    expect(store(v, I('stxh', { dst: 1, src: 2, off: 1 }))).toEqual([0xaa, 0x88, 0x77, ...aa(13)]);
    expect(store(v, I('stxw', { dst: 1, src: 2, off: 0 }))).toEqual([0x88, 0x77, 0x66, 0x55, ...aa(12)]);
    expect(store(v, I('stxdw', { dst: 1, src: 2, off: 8 }))).toEqual([...aa(8), 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
  });

  it('round-trips through the stack', () => {
    expect(interpret(prog(lddw(2, 0xfeed_f00d_dead_beefn), I('stxdw', { dst: 10, src: 2, off: -512 }),
      I('ldxdw', { dst: 0, src: 10, off: -512 }), exit()))).toBe(0xfeed_f00d_dead_beefn);
  });
});

describe('atomics', () => {
  /**
   * mem[0..8) = memory, r2 = src, r0 = r0Before; run `op [r1+0], r2`; then report
   * memory, r2 and r0 (stored to mem[8..24) by the program).
   */
  function atomic(op: string, memory: bigint, src: bigint, r0Before = 0n) {
    const mem = u64le(memory, 0n, 0n);
    interpret(prog(lddw(2, src), lddw(0, r0Before), I(op, { dst: 1, src: 2, off: 0 }),
      I('stxdw', { dst: 1, src: 2, off: 8 }), I('stxdw', { dst: 1, src: 0, off: 16 }), exit()), mem);
    return { memory: readU64(mem, 0), src: readU64(mem, 8), r0: readU64(mem, 16) };
  }

  it.each(named([
    ['lock add', 5n, 3n, 8n, 3n], ['lock add', M, 2n, 1n, 2n],
    ['lock or', 0xf0n, 0x0fn, 0xffn, 0x0fn], ['lock and', 0xffn, 0x0fn, 0x0fn, 0x0fn], ['lock xor', 0xffn, 0x0fn, 0xf0n, 0x0fn],
    ['lock fetch add', 5n, 3n, 8n, 5n], ['lock fetch or', 0xf0n, 0x0fn, 0xffn, 0xf0n],
    ['lock fetch and', 0xffn, 0x0fn, 0x0fn, 0xffn], ['lock fetch xor', 0xffn, 0x0fn, 0xf0n, 0xffn],
    ['lock xchg', 5n, 9n, 9n, 5n],
  ] as const))('64-bit %s', (_name, op, memory, src, wantMemory, wantSrc) => {
    expect(atomic(op, memory, src)).toEqual({ memory: wantMemory, src: wantSrc, r0: 0n });
  });

  it('64-bit cmpxchg swaps when memory equals r0 and returns the old value in r0', () => {
    expect(atomic('lock cmpxchg', 5n, 9n, 5n)).toEqual({ memory: 9n, src: 9n, r0: 5n });
    expect(atomic('lock cmpxchg', 5n, 9n, 6n)).toEqual({ memory: 5n, src: 9n, r0: 5n });
    expect(atomic('lock cmpxchg', 5n, 9n, 0x1_0000_0005n)).toEqual({ memory: 5n, src: 9n, r0: 5n });
  });

  // The upper 4 bytes of the 8-byte slot (0xaaaaaaaa) must never change.
  const U = 0xaaaa_aaaa_0000_0000n;
  const J = 0xffff_ffff_0000_0000n;
  it.each(named([
    ['lock add32', U | 5n, J | 3n, U | 8n, J | 3n], ['lock add32', U | 0xffff_ffffn, 2n, U | 1n, 2n],
    ['lock or32', U | 0xf0n, J | 0x0fn, U | 0xffn, J | 0x0fn], ['lock and32', U | 0xffn, 0x0fn, U | 0x0fn, 0x0fn],
    ['lock xor32', U | 0xffn, 0x0fn, U | 0xf0n, 0x0fn],
    // FETCH forms return the old value zero-extended.
    ['lock fetch add32', U | 5n, J | 3n, U | 8n, 5n], ['lock fetch or32', U | 0xf0n, J | 0x0fn, U | 0xffn, 0xf0n],
    ['lock fetch and32', U | 0xffn, J | 0x0fn, U | 0x0fn, 0xffn], ['lock fetch xor32', U | 0x8000_00ffn, J | 0x0fn, U | 0x8000_00f0n, 0x8000_00ffn],
    ['lock xchg32', U | 5n, J | 9n, U | 9n, 5n],
  ] as const))('32-bit %s', (_name, op, memory, src, wantMemory, wantSrc) => {
    expect(atomic(op, memory, src)).toEqual({ memory: wantMemory, src: wantSrc, r0: 0n });
  });

  it('32-bit cmpxchg compares the low half of r0 and zero-extends the old value into r0', () => {
    expect(atomic('lock cmpxchg32', U | 5n, J | 9n, J | 5n)).toEqual({ memory: U | 9n, src: J | 9n, r0: 5n });
    expect(atomic('lock cmpxchg32', U | 5n, J | 9n, J | 6n)).toEqual({ memory: U | 5n, src: J | 9n, r0: 5n });
  });

  it('cmpxchg with src = r0 compares and stores r0 itself', () => {
    const mem = u64le(5n);
    const r0 = interpret(prog(movi(0, 5), I('lock cmpxchg', { dst: 1, src: 0, off: 0 }), exit()), mem);
    expect(r0).toBe(5n);
    expect(readU64(mem, 0)).toBe(5n);
  });

  it('fetch with src = dst reads the address before overwriting the register', () => {
    const mem = u64le(0n);
    const r1Before = interpret(prog(movr(0, 1), exit()), new Uint8Array(8));
    const r0 = interpret(prog(I('lock fetch add', { dst: 1, src: 1, off: 0 }), movr(0, 1), exit()), mem);
    expect(r0).toBe(0n);
    expect(readU64(mem, 0)).toBe(r1Before);
  });
});

describe('lddw', () => {
  it('loads a 64-bit constant', () => {
    expect(interpret(prog(lddw(0, 0x1122_3344_8566_7788n), exit()))).toBe(0x1122_3344_8566_7788n);
    expect(interpret(prog(lddw(0, M), exit()))).toBe(M);
  });
});

describe('LD_ABS / LD_IND (network byte order, out of range ends the program with r0 = 0)', () => {
  const packet = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a]);
  const abs = (op: string, imm: number) =>
    interpret(prog(lddw(0, M), I(op, { imm }), exit()), packet);
  const ind = (op: string, r2: bigint, imm: number) =>
    interpret(prog(lddw(0, M), lddw(2, r2), I(op, { src: 2, imm }), exit()), packet);

  it.each(named([
    ['ldabsb', 0, 0x12n], ['ldabsh', 0, 0x1234n], ['ldabsw', 1, 0x3456_789an], ['ldabsb', 4, 0x9an],
    ['ldabsw', 2, 0n], ['ldabsh', 4, 0n], ['ldabsb', 5, 0n], ['ldabsb', -1, 0n], ['ldabsw', 0x7fff_ffff, 0n],
  ] as const))('%s', (_name, op, imm, want) => {
    expect(abs(op, imm)).toBe(want);
  });

  it.each(named([
    ['ldindh', 1n, 2, 0x789an], ['ldindb', 4n, 0, 0x9an], ['ldindw', 0n, 1, 0x3456_789an],
    // offset = (s32)(low32(src) + imm): wraps in 32 bits, high half ignored
    ['ldindh', 0xffff_ffffn, 2, 0x3456n], ['ldindb', 0x1_0000_0001n, 0, 0x34n],
    ['ldindb', 0x7fff_ffffn, 1, 0n], ['ldindb', 3n, -4, 0n], ['ldindw', 2n, 0, 0n],
  ] as const))('%s', (_name, op, r2, imm, want) => {
    expect(ind(op, r2, imm)).toBe(want);
  });

  it('ends the program at once, even inside a called function', () => {
    const r0 = interpret(prog(I('call', { imm: 2 }, 'call_local'), movi(0, 7), exit(),
      movi(0, 9), I('ldabsw', { imm: 100 }), movi(0, 8), exit()), packet);
    expect(r0).toBe(0n);
  });

  it('treats an empty input as out of range', () => {
    expect(interpret(prog(movi(0, 3), I('ldabsb', { imm: 0 }), exit()))).toBe(0n);
  });
});

describe('OUT_OF_BOUNDS traps carry pc, address and size', () => {
  const rt = new Runtime();
  const L = rt.layout;
  const oob = (drafts: Draft[], mem?: Uint8Array) => {
    const trap = trapOf(() => interpret(prog(...drafts), mem, { runtime: rt }));
    expect(trap.code).toBe('OUT_OF_BOUNDS');
    return { pc: trap.pc, address: trap.address, size: trap.size };
  };

  it('null pointer (guard page)', () => {
    expect(oob([movi(2, 0), I('ldxb', { dst: 0, src: 2, off: 0 }), exit()])).toEqual({ pc: 1, address: 0n, size: 1 });
  });
  it('a load reaching past the end of the input', () => {
    expect(oob([I('ldxw', { dst: 0, src: 1, off: 6 }), exit()], new Uint8Array(8)))
      .toEqual({ pc: 0, address: BigInt(L.inputBase + 6), size: 4 });
    expect(interpret(prog(I('ldxdw', { dst: 0, src: 1, off: 0 }), exit()), new Uint8Array(8), { runtime: rt })).toBe(0n);
  });
  it('stack underflow: above the top of the stack (scratch area between regions)', () => {
    expect(oob([I('ldxdw', { dst: 0, src: 10, off: 0 }), exit()])).toEqual({ pc: 0, address: BigInt(L.stackTop), size: 8 });
    expect(oob([I('ldxdw', { dst: 0, src: 10, off: -4 }), exit()])).toEqual({ pc: 0, address: BigInt(L.stackTop - 4), size: 8 });
  });
  it('stack overflow: below the deepest frame', () => {
    expect(oob([movi(0, 0), I('stb', { dst: 10, off: -4097, imm: 1 }), exit()]))
      .toEqual({ pc: 1, address: BigInt(L.stackBase - 1), size: 1 });
  });
  it('the context area when no context is set', () => {
    expect(oob([lddw(2, BigInt(L.contextBase)), I('ldxb', { dst: 0, src: 2, off: 0 }), exit()]))
      .toEqual({ pc: 2, address: BigInt(L.contextBase), size: 1 });
  });
  it('stores and atomics are checked too', () => {
    expect(oob([movi(2, 0x1000), I('stxh', { dst: 2, src: 1, off: 2 }), exit()])).toEqual({ pc: 1, address: 0x1002n, size: 2 });
    expect(oob([movi(2, 0x1000), I('lock add', { dst: 2, src: 1, off: 0 }), exit()])).toEqual({ pc: 1, address: 0x1000n, size: 8 });
    expect(oob([movi(2, 0x1000), I('lock cmpxchg32', { dst: 2, src: 1, off: 0 }), exit()])).toEqual({ pc: 1, address: 0x1000n, size: 4 });
  });
  it('addresses wrap modulo 2^64 and far-away addresses are caught', () => {
    expect(oob([lddw(2, M), I('ldxb', { dst: 0, src: 2, off: 1 }), exit()])).toEqual({ pc: 2, address: 0n, size: 1 });
    const far = BigInt(L.inputBase) + (1n << 32n);
    expect(oob([lddw(2, far), I('ldxb', { dst: 0, src: 2, off: 0 }), exit()], new Uint8Array(8)))
      .toEqual({ pc: 2, address: far, size: 1 });
  });
  it('allows heap memory the runtime has allocated', () => {
    const heapRt = new Runtime();
    const at = heapRt.allocate(16);
    const p = interpreter(prog(lddw(2, BigInt(at)), I('stdw', { dst: 2, off: 8, imm: 5 }),
      I('ldxdw', { dst: 0, src: 2, off: 8 }), exit()), { runtime: heapRt });
    expect(p()).toBe(5n);
    const trap = trapOf(() => interpret(prog(lddw(2, BigInt(at)), I('ldxdw', { dst: 0, src: 2, off: 16 }), exit()),
      undefined, { runtime: heapRt }));
    expect(trap.address).toBe(BigInt(at + 16));
  });
});
