import { describe, expect, it } from 'vitest';
import { encode } from '../src/decode/encode.js';
import { makeInsn } from '../src/decode/insn.js';
import { DecodeError, RuntimeTrap, VerifierError } from '../src/errors.js';
import { HelperRegistry } from '../src/helpers/registry.js';
import { interpret, interpreter } from '../src/interp/interpreter.js';
import { Runtime } from '../src/runtime/runtime.js';
import * as api from '../src/index.js';
import { exit, I, lddw, movi, movr, prog } from './support/build.js';
import { anyError } from './support/errors.js';

describe('the Program object', () => {
  it('is callable, runs again and again, and describes itself', () => {
    const rt = new Runtime();
    const p = interpreter(prog(movi(0, 42), exit()), { runtime: rt });
    expect(p()).toBe(42n);
    expect(p()).toBe(42n);
    expect(p.engine).toBe('interp');
    expect(p.runtime).toBe(rt);
    expect(p.insns.map((i) => i.spec.mnemonic)).toEqual(['mov', 'exit']);
  });

  it('accepts bytecode as well as instructions', () => {
    expect(interpret(encode(prog(lddw(0, 0x1_0000_0002n), exit())))).toBe(0x1_0000_0002n);
  });

  it('runs over mem in place: run() returns the same array, updated', () => {
    const mem = new Uint8Array([1, 2, 3, 4]);
    const p = interpreter(prog(I('stb', { dst: 1, off: 2, imm: 9 }), movi(0, 0), exit()));
    const result = p.run(mem);
    expect(result.memory).toBe(mem);
    expect([...mem]).toEqual([1, 2, 9, 4]);
    expect(result.r0).toBe(0n);
  });

  it('writes memory back even when the run traps', () => {
    const mem = new Uint8Array(4);
    const p = interpreter(prog(I('stb', { dst: 1, off: 0, imm: 7 }), I('ldxw', { dst: 0, src: 1, off: 2 }), exit()));
    expect(() => p(mem)).toThrow(RuntimeTrap);
    expect(mem[0]).toBe(7);
  });

  it('enters with r1 = input address, r2 = input length, r10 = stack top, others 0', () => {
    const rt = new Runtime();
    const run = (...body: ReturnType<typeof I>[]) => interpret(prog(...body, exit()), new Uint8Array(5), { runtime: rt });
    expect(run(movr(0, 1))).toBe(BigInt(rt.layout.inputBase));
    expect(run(movr(0, 2))).toBe(5n);
    expect(run(movr(0, 10))).toBe(BigInt(rt.layout.stackTop));
    expect(run(movi(0, 0), ...[3, 4, 5, 6, 7, 8, 9].map((r) => I('or', { dst: 0, src: r })))).toBe(0n);
    expect(interpret(prog(exit()))).toBe(0n);
    expect(interpret(prog(movr(0, 2), exit()))).toBe(0n);
  });

  it('starts with a zeroed stack in a fresh runtime and does not clear it between runs (as the JIT)', () => {
    const p = interpreter(prog(I('ldxdw', { dst: 0, src: 10, off: -8 }), I('stdw', { dst: 10, off: -8, imm: 77 }), exit()));
    expect(p()).toBe(0n);
    expect(p()).toBe(77n);
  });

  it('refuses to be re-entered from one of its helpers', () => {
    const helpers = new HelperRegistry().define(1, () => inner!());
    const rt = new Runtime({ helpers });
    let inner: (() => bigint) | undefined;
    const p = interpreter(prog(I('call', { imm: 1 }, 'call_helper'), exit()), { runtime: rt });
    inner = () => p();
    const e = anyError(() => p());
    expect(e).toBeInstanceOf(RuntimeTrap);
    expect((e as RuntimeTrap).code).toBe('REENTRANT_RUN');
    helpers.define(1, () => 3n);
    expect(interpreter(prog(I('call', { imm: 1 }, 'call_helper'), exit()), { runtime: rt })()).toBe(3n);
  });

  it('is exported from the package entry point', () => {
    expect(api.interpreter).toBe(interpreter);
    expect(api.interpret).toBe(interpret);
    expect(typeof api.ubpfTestHelpers).toBe('function');
  });
});

describe('instruction budget', () => {
  it('traps BUDGET_EXHAUSTED on an endless loop, at the next instruction', () => {
    const e = anyError(() => interpret(prog(movi(0, 0), I('add', { dst: 0, imm: 1 }), I('ja', { off: -2 }), exit()),
      undefined, { budget: 1000 }));
    expect(e).toBeInstanceOf(RuntimeTrap);
    expect((e as RuntimeTrap).code).toBe('BUDGET_EXHAUSTED');
    // 1 mov, then (add, ja) pairs: instruction 1000 is an add, 1001 the ja at pc 2.
    expect((e as RuntimeTrap).pc).toBe(2);
  });

  it('counts exactly: a 3-instruction run fits a budget of 3 but not 2', () => {
    const p = prog(movi(0, 1), I('add', { dst: 0, imm: 1 }), exit());
    expect(interpret(p, undefined, { budget: 3 })).toBe(2n);
    const e = anyError(() => interpret(p, undefined, { budget: 2 })) as RuntimeTrap;
    expect([e.code, e.pc]).toEqual(['BUDGET_EXHAUSTED', 2]);
  });

  it('rejects a budget that is not a non-negative integer', () => {
    expect(() => interpreter(prog(exit()), { budget: -1 })).toThrow(RangeError);
    expect(() => interpreter(prog(exit()), { budget: 1.5 })).toThrow(RangeError);
  });
});

describe('load-time errors', () => {
  it('UNKNOWN_HELPER for a call to an unregistered helper, with its pc', () => {
    const e = anyError(() => interpreter(prog(movi(0, 0), I('call', { imm: 7 }, 'call_helper'), exit()),
      { helpers: new HelperRegistry().define(6, () => 0n) }));
    expect(e).toBeInstanceOf(VerifierError);
    expect([(e as VerifierError).code, (e as VerifierError).pc]).toEqual(['UNKNOWN_HELPER', 1]);
  });

  it.each([
    ['map_fd', 'UNKNOWN_MAP'], ['map_value', 'UNKNOWN_MAP'], ['btf_id', 'UNRESOLVED_PSEUDO'],
    ['map_idx', 'UNKNOWN_MAP'], ['map_idx_value', 'UNKNOWN_MAP'],
  ])('lddw %s without a map to resolve to: %s', (pseudo, code) => {
    const src = ['imm64', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'].indexOf(pseudo);
    const e = anyError(() => interpreter(prog(movi(0, 0), I('lddw', { dst: 1, src, imm: 1 }), exit())));
    expect(e).toBeInstanceOf(VerifierError);
    expect([(e as VerifierError).code, (e as VerifierError).pc]).toEqual([code, 1]);
  });

  it('structural errors from analyzeStructure', () => {
    const e = anyError(() => interpreter(prog(I('ja', { off: 5 }), exit())));
    expect(e).toBeInstanceOf(VerifierError);
    expect((e as VerifierError).code).toBe('JUMP_OUT_OF_RANGE');
    expect((anyError(() => interpreter(prog(movi(0, 0)))) as VerifierError).code).toBe('FALLS_OFF_END');
    expect((anyError(() => interpreter([])) as VerifierError).code).toBe('EMPTY_PROGRAM');
  });

  it('WRITE_R10 for a fetching atomic whose src is r10 (the decoder checks every form)', () => {
    const e = anyError(() => interpreter(prog(I('lock fetch add', { dst: 1, src: 10, off: 0 }), exit())));
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as VerifierError).code).toBe('WRITE_R10');
    expect(() => interpreter(prog(I('lock add', { dst: 1, src: 10, off: 0 }), exit()))).not.toThrow();
  });

  it('decoder errors for bad bytes and badly built instructions', () => {
    expect(anyError(() => interpreter(new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0])))).toBeInstanceOf(DecodeError);
    const mov = I('mov', { dst: 0, imm: 1 }).spec;
    const misnumbered = [makeInsn(mov, { dst: 0, imm: 1 }, 0), makeInsn(I('exit').spec, {}, 0)];
    expect((anyError(() => interpreter(misnumbered)) as DecodeError).code).toBe('BAD_PC');
    const badReg = [makeInsn(mov, { dst: 11, imm: 1 }, 0), makeInsn(I('exit').spec, {}, 1)];
    expect((anyError(() => interpreter(badReg)) as DecodeError).code).toBe('BAD_REGISTER');
    expect((anyError(() => interpreter([null as never])) as DecodeError).code).toBe('BAD_INPUT');
    const wideImm = [{ ...makeInsn(mov, { dst: 0 }, 0), imm: 2 ** 32 }, makeInsn(I('exit').spec, {}, 1)];
    expect((anyError(() => interpreter(wideImm)) as DecodeError).code).toBe('BAD_FIELD');
  });
});

describe('inputs', () => {
  it('rejects an input larger than the runtime allows and leaves it untouched', () => {
    const rt = new Runtime({ maxInputSize: 4 });
    const p = interpreter(prog(movi(0, 0), exit()), { runtime: rt });
    p(new Uint8Array([9, 9, 9, 9]));
    const big = new Uint8Array([1, 2, 3, 4, 5]);
    expect(() => p(big)).toThrow(RangeError);
    expect([...big]).toEqual([1, 2, 3, 4, 5]);
  });
});
