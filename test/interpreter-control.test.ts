import { describe, expect, it } from 'vitest';
import { ExitProgram } from '../src/abi/signals.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { CODE_POINTER_TAG, frameTop } from '../src/abi/layout.js';
import { interpret, interpreter } from '../src/interp/interpreter.js';
import { Runtime } from '../src/runtime/runtime.js';
import { trapOf } from './support/errors.js';
import { exit, I, lddw, movi, movr, named, prog } from './support/build.js';

const M = 0xffff_ffff_ffff_ffffn;
const MIN = 0x8000_0000_0000_0000n;

/** r1 = a; r2 = b; r0 = 0; `jX r1, r2, +1`; exit; r0 = 1; exit -> whether the jump was taken. */
function takenReg(mnemonic: string, a: bigint, b: bigint): boolean {
  const r0 = interpret(prog(lddw(1, a), lddw(2, b), movi(0, 0),
    I(mnemonic, { dst: 1, src: 2, off: 1 }), exit(), movi(0, 1), exit()));
  return r0 === 1n;
}
function takenImm(mnemonic: string, a: bigint, imm: number): boolean {
  const r0 = interpret(prog(lddw(1, a), movi(0, 0),
    I(mnemonic, { dst: 1, imm, off: 1 }), exit(), movi(0, 1), exit()));
  return r0 === 1n;
}

describe('conditional jumps, 64-bit', () => {
  it.each(named([
    ['jeq', 5n, 5n, true], ['jeq', 5n, 6n, false], ['jeq', 0x1_0000_0005n, 5n, false],
    ['jne', 5n, 6n, true], ['jne', 5n, 5n, false],
    ['jgt', M, 1n, true], ['jgt', 1n, M, false], ['jgt', 5n, 5n, false],
    ['jge', 5n, 5n, true], ['jge', 4n, 5n, false], ['jge', M, MIN, true],
    ['jlt', 1n, M, true], ['jlt', M, 1n, false], ['jlt', 5n, 5n, false],
    ['jle', 5n, 5n, true], ['jle', 6n, 5n, false],
    ['jset', 0x1_0000_0000n, 0x1_0000_0000n, true], ['jset', 6n, 1n, false],
    ['jsgt', M, 1n, false], ['jsgt', 1n, M, true], ['jsgt', M, M - 1n, true],
    ['jsge', M, M, true], ['jsge', MIN, M, false],
    ['jslt', MIN, 0n, true], ['jslt', 0n, MIN, false],
    ['jsle', M, M, true], ['jsle', 0n, M, false],
  ] as const))('%s', (_name, op, a, b, want) => {
    expect(takenReg(op, a, b)).toBe(want);
  });

  it.each(named([
    ['jeq', M, -1, true], ['jeq', 0xffff_ffffn, -1, false],
    ['jne', 0xffff_ffffn, -1, true],
    ['jgt', 5n, -1, false], ['jgt', M, -2, true],
    ['jge', M, -1, true], ['jlt', 5n, -1, true], ['jle', 0xffff_ffffn, -1, true],
    ['jset', 0x1_0000_0000n, -0x8000_0000, true], ['jset', 0x1_0000_0000n, 0x7fff_ffff, false],
    ['jsgt', 0n, -1, true], ['jsgt', M, 0, false], ['jsge', M, -1, true],
    ['jslt', MIN, -0x8000_0000, true],
    ['jsle', 0xffff_ffff_8000_0000n, -0x8000_0000, true], ['jsle', 0x8000_0000n, -0x8000_0000, false],
  ] as const))('%s (imm sign-extended)', (_name, op, a, imm, want) => {
    expect(takenImm(op, a, imm)).toBe(want);
  });
});

describe('conditional jumps, 32-bit (low halves only)', () => {
  it.each(named([
    ['jeq32', 0x1_0000_0005n, 5n, true], ['jeq32', 5n, 6n, false],
    ['jne32', 0x1_0000_0005n, 0x2_0000_0005n, false], ['jne32', 5n, 6n, true],
    ['jgt32', 0xffff_ffffn, 1n, true], ['jgt32', 0x1_0000_0000n, 1n, false],
    ['jge32', 5n, 5n, true], ['jge32', 0x9_0000_0004n, 5n, false],
    ['jlt32', 0x1_0000_0000n, 1n, true], ['jle32', 0xffff_ffff_0000_0005n, 5n, true], ['jle32', 6n, 5n, false],
    ['jset32', 0x1_0000_0000n, 0x1_0000_0000n, false], ['jset32', 3n, 2n, true],
    ['jsgt32', 0xffff_ffffn, 1n, false], ['jsgt32', 1n, 0xffff_ffffn, true], ['jsgt32', 0x7fff_ffffn, 0x8000_0000n, true],
    ['jsge32', 0x8000_0000n, 0x8000_0000n, true], ['jsge32', 0x8000_0000n, 0n, false],
    ['jslt32', 0x8000_0000n, 0x7fff_ffffn, true], ['jslt32', 0x1_0000_0000n, 0xffff_ffffn, false],
    ['jsle32', 0xffff_ffffn, 0n, true], ['jsle32', 1n, 0n, false],
  ] as const))('%s', (_name, op, a, b, want) => {
    expect(takenReg(op, a, b)).toBe(want);
  });

  it.each(named([
    ['jeq32', 0x5_ffff_ffffn, -1, true], ['jgt32', 0xffff_ffffn, -2, true], ['jgt32', 5n, -1, false],
    ['jsgt32', 0x1_0000_0000n, -1, true], ['jset32', 0x1_0000_0000n, -1, false], ['jslt32', 0xffff_ffffn, 0, true],
    ['jle32', 0xffff_fffen, -1, true], ['jlt32', 5n, 6, true], ['jge32', 0xffff_ffffn, -1, true],
    ['jne32', 0x7_0000_0001n, 1, false], ['jsge32', 0n, -1, true], ['jsle32', 0x8000_0000n, -0x8000_0000, true],
  ] as const))('%s', (_name, op, a, imm, want) => {
    expect(takenImm(op, a, imm)).toBe(want);
  });
});

describe('unconditional jumps', () => {
  it('ja skips forward by off', () => {
    expect(interpret(prog(movi(0, 1), I('ja', { off: 1 }), movi(0, 2), exit()))).toBe(1n);
  });
  it('ja32 (gotol) takes its offset from imm', () => {
    expect(interpret(prog(movi(0, 1), I('ja32', { imm: 2 }), movi(0, 2), movi(0, 3), exit()))).toBe(1n);
  });
  it('jumps backwards (a counting loop)', () => {
    // r0 = 0; r1 = 10; loop: r0 += r1; r1 -= 1; jne r1, 0, loop
    const r0 = interpret(prog(movi(0, 0), movi(1, 10),
      I('add', { dst: 0, src: 1 }), I('sub', { dst: 1, imm: 1 }), I('jne', { dst: 1, imm: 0, off: -3 }), exit()));
    expect(r0).toBe(55n);
  });
  it('counts an lddw as two slots in jump offsets', () => {
    expect(interpret(prog(movi(0, 1), I('ja', { off: 2 }), lddw(0, 7n), exit()))).toBe(1n);
  });
});

const callLocal = (imm: number) => I('call', { imm }, 'call_local');

describe('local calls', () => {
  it('passes r1-r5, returns r0 and preserves r6-r9 (the callee clobbers them)', () => {
    const r0 = interpret(prog(
      movi(1, 1), movi(2, 2), movi(3, 3), movi(4, 4), movi(5, 5),
      movi(6, 6), movi(7, 7), movi(8, 8), movi(9, 9),
      callLocal(8),                                        // pc 9 -> 18
      // r0 = r0 * 1000 + r6 + r7 + r8 + r9 = 15 * 1000 + 30
      I('mul', { dst: 0, imm: 1000 }), I('add', { dst: 0, src: 6 }), I('add', { dst: 0, src: 7 }),
      I('add', { dst: 0, src: 8 }), I('add', { dst: 0, src: 9 }), exit(),
      exit(), exit(),                                      // padding, pc 16-17
      // pc 18: r0 = r1 + ... + r5; r6..r9 = 0
      movr(0, 1), I('add', { dst: 0, src: 2 }), I('add', { dst: 0, src: 3 }), I('add', { dst: 0, src: 4 }),
      I('add', { dst: 0, src: 5 }), movi(6, 0), movi(7, 0), movi(8, 0), movi(9, 0), exit(),
    ));
    expect(r0).toBe(15_030n);
  });

  it('restores r1-r5 too, so a call changes only r0 in the caller', () => {
    // callee: r1..r5 = 0; caller then returns r0 + r1 + ... + r5 = 100 + 15
    const r0 = interpret(prog(
      movi(1, 1), movi(2, 2), movi(3, 3), movi(4, 4), movi(5, 5), callLocal(6),
      I('add', { dst: 0, src: 1 }), I('add', { dst: 0, src: 2 }), I('add', { dst: 0, src: 3 }),
      I('add', { dst: 0, src: 4 }), I('add', { dst: 0, src: 5 }), exit(),
      movi(0, 100), movi(1, 0), movi(2, 0), movi(3, 0), movi(4, 0), movi(5, 0), exit()));
    expect(r0).toBe(115n);
  });

  it('gives the callee a fresh 512-byte frame and restores r10 on return', () => {
    const rt = new Runtime();
    const top = BigInt(frameTop(rt.layout, 0));
    // callee returns its r10; the caller then returns (caller r10) - (callee r10)
    const p = interpreter(prog(callLocal(4), movr(1, 10), I('sub', { dst: 1, src: 0 }), movr(0, 1), exit(),
      movr(0, 10), exit()), { runtime: rt });
    expect(p()).toBe(512n);
    expect(interpret(prog(callLocal(1), exit(), movr(0, 10), exit()), undefined, { runtime: rt })).toBe(top - 512n);
  });

  it('keeps the caller\'s stack slots apart from the callee\'s', () => {
    const r0 = interpret(prog(
      I('stdw', { dst: 10, off: -8, imm: 0x1234 }), callLocal(2), I('ldxdw', { dst: 0, src: 10, off: -8 }), exit(),
      I('stdw', { dst: 10, off: -8, imm: 0x5678 }), exit()));
    expect(r0).toBe(0x1234n);
  });

  /** Recursion n deep: f(n) = n == 0 ? r0 + 1 : f(n - 1) + 1, entered from the entry function. */
  const recursion = (n: number) => prog(
    movi(1, n), movi(0, 0), callLocal(1), exit(),
    I('jeq', { dst: 1, imm: 0, off: 2 }),   // pc 4
    I('sub', { dst: 1, imm: 1 }),
    callLocal(-3),                          // pc 6 -> 4
    I('add', { dst: 0, imm: 1 }),
    exit());

  it('allows 8 frames including the entry function', () => {
    expect(interpret(recursion(6))).toBe(7n);
  });

  it('traps CALL_DEPTH_EXCEEDED on the 9th frame, at the call', () => {
    const trap = trapOf(() => interpret(recursion(7)));
    expect(trap.code).toBe('CALL_DEPTH_EXCEEDED');
    expect(trap.pc).toBe(6);
  });
});

function sumHelpers(): HelperRegistry {
  return new HelperRegistry()
    .define(1, (a, b, c, d, e) => a + 2n * b + 3n * c + 4n * d + 5n * e, 'weighted_sum')
    .define(2, () => -1, 'minus_one')
    .define(3, () => undefined, 'nothing')
    .define(4, () => (1n << 64n) + 9n, 'too_wide')
    .define(5, (_a, _b, _c, _d, _e, env) => BigInt(env.pc), 'where_am_i')
    .define(6, (a) => { throw new ExitProgram(a); }, 'bail_out');
}
const callHelper = (imm: number) => I('call', { imm }, 'call_helper');
const setArgs = [movi(1, 1), movi(2, 2), movi(3, 3), movi(4, 4), movi(5, 5)];

describe('helper calls', () => {
  const run = (...drafts: ReturnType<typeof I>[]) => interpret(prog(...drafts), undefined, { helpers: sumHelpers() });

  it('passes r1-r5 and sets r0 from the result', () => {
    expect(run(...setArgs, callHelper(1), exit())).toBe(55n);
  });
  it('leaves r1-r5 as they were', () => {
    expect(run(...setArgs, callHelper(1), movr(0, 1), I('add', { dst: 0, src: 5 }), exit())).toBe(6n);
  });
  it('normalises number, void and over-wide results to u64', () => {
    expect(run(callHelper(2), exit())).toBe(M);
    expect(run(movi(0, 7), callHelper(3), exit())).toBe(0n);
    expect(run(callHelper(4), exit())).toBe(9n);
  });
  it('tells the helper the pc of its call', () => {
    expect(run(movi(0, 0), movi(0, 0), callHelper(5), exit())).toBe(2n);
  });
  it('ends the whole program, from any depth, when a helper throws ExitProgram', () => {
    const r0 = run(movi(0, 1), callLocal(2), movi(0, 2), exit(),
      callLocal(1), exit(), movi(1, 42), callHelper(6), movi(0, 3), exit());
    expect(r0).toBe(42n);
  });
  it('sees memory grown by a helper', () => {
    const rt = new Runtime({ helpers: new HelperRegistry() });
    let heap = 0;
    rt.helpers!.define(1, (_a, _b, _c, _d, _e, env) => { heap = env.runtime.allocate(4 * 65536); return BigInt(heap + 65536 * 3); });
    const before = rt.memory.buffer.byteLength;
    const p = interpreter(prog(callHelper(1), I('stdw', { dst: 0, off: 8, imm: 77 }),
      I('ldxdw', { dst: 0, src: 0, off: 8 }), exit()), { runtime: rt });
    expect(p()).toBe(77n);
    expect(rt.memory.buffer.byteLength).toBeGreaterThan(before);
  });
  it('uses options.helpers instead of the runtime\'s registry', () => {
    const rt = new Runtime({ helpers: new HelperRegistry().define(1, () => 1n) });
    const own = new HelperRegistry().define(1, () => 2n);
    expect(interpret(prog(callHelper(1), exit()), undefined, { runtime: rt })).toBe(1n);
    expect(interpret(prog(callHelper(1), exit()), undefined, { runtime: rt, helpers: own })).toBe(2n);
  });
});

describe('callx', () => {
  const callx = (dst: number) => I('call', { dst }, 'call_reg');
  /** lddw dst, func(target) where target is relative to the next slot after the lddw's first slot. */
  const funcPointer = (dst: number, imm: number) => I('lddw', { dst, src: 4, imm });

  it('calls a local function through a code pointer from lddw func', () => {
    const r0 = interpret(prog(
      funcPointer(5, 6), movi(1, 20), movi(6, 6), callx(5), I('add', { dst: 0, src: 6 }), exit(),  // pc 0..6
      movr(0, 1), I('add', { dst: 0, imm: 1 }), movi(6, 0), exit(),                                // pc 7
    ));
    expect(r0).toBe(27n);
  });
  it('loads CODE_POINTER_TAG | pc for lddw func', () => {
    expect(interpret(prog(funcPointer(0, 2), exit(), exit()))).toBe(CODE_POINTER_TAG | 3n);
  });
  it('calls a registered helper when the register holds its id (ubpf convention)', () => {
    const r0 = interpret(prog(...setArgs, movi(7, 1), callx(7), exit()), undefined, { helpers: sumHelpers() });
    expect(r0).toBe(55n);
  });
  it('traps BAD_CALL_TARGET for an unregistered id', () => {
    const trap = trapOf(() => interpret(prog(movi(7, 99), callx(7), exit()), undefined, { helpers: sumHelpers() }));
    expect(trap.code).toBe('BAD_CALL_TARGET');
    expect(trap.pc).toBe(1);
  });
  it('traps BAD_CALL_TARGET for a code pointer to a pc that is not a function entry', () => {
    const trap = trapOf(() => interpret(prog(lddw(7, CODE_POINTER_TAG | 3n), callx(7), exit(), exit())));
    expect(trap.code).toBe('BAD_CALL_TARGET');
    expect(trap.pc).toBe(2);
  });
  it('traps BAD_CALL_TARGET for a helper id with high bits set', () => {
    const trap = trapOf(() => interpret(prog(lddw(7, 0x1_0000_0001n), callx(7), exit()), undefined, { helpers: sumHelpers() }));
    expect(trap.code).toBe('BAD_CALL_TARGET');
  });
});
