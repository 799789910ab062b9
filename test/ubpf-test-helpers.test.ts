import { describe, expect, it } from 'vitest';
import { RuntimeTrap } from '../src/errors.js';
import { ubpfTestHelpers } from '../src/helpers/ubpf-test.js';
import { interpret } from '../src/interp/interpreter.js';
import { exit, I, lddw, movi, movr, prog, type Draft } from './support/build.js';

const M = 0xffff_ffff_ffff_ffffn;
const call = (id: number) => I('call', { imm: id }, 'call_helper');
const run = (drafts: Draft[], mem?: Uint8Array) => interpret(prog(...drafts), mem, { helpers: ubpfTestHelpers() });
const text = (s: string) => new TextEncoder().encode(s);

describe('ubpf test helpers', () => {
  it('registers ids 0..5 with their names', () => {
    const reg = ubpfTestHelpers();
    expect(reg.ids()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(reg.ids().map((id) => reg.get(id)!.name))
      .toEqual(['gather_bytes', 'memfrob', 'no_op', 'sqrti', 'strcmp_ext', 'unwind']);
  });

  it('gather_bytes packs the low byte of each argument', () => {
    expect(run([movi(1, 0x101), movi(2, 0x202), movi(3, 0x303), movi(4, 0x404), lddw(5, 0xff00_0000_0000_0505n), call(0), exit()]))
      .toBe(0x01_0203_0405n);
  });

  it('memfrob xors n bytes with 42 and returns 0', () => {
    const mem = text('abcd');
    expect(run([movi(2, 3), call(1), exit()], mem)).toBe(0n);
    expect([...mem]).toEqual([0x61 ^ 42, 0x62 ^ 42, 0x63 ^ 42, 0x64]);
    expect(run([movi(1, 0), movi(2, 0), call(1), exit()])).toBe(0n);
  });

  it('memfrob traps OUT_OF_BOUNDS past the input', () => {
    const e = (() => { try { run([movi(2, 5), call(1), exit()], text('abcd')); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(RuntimeTrap);
    expect((e as RuntimeTrap).code).toBe('OUT_OF_BOUNDS');
    expect((e as RuntimeTrap).pc).toBe(1);
  });

  it('no_op returns 0', () => {
    expect(run([movi(0, 9), call(2), exit()])).toBe(0n);
  });

  it('sqrti is floor(sqrt) of the low 32 bits', () => {
    const sqrti = (x: bigint) => run([lddw(1, x), call(3), exit()]);
    expect(sqrti(16n)).toBe(4n);
    expect(sqrti(15n)).toBe(3n);
    expect(sqrti(0xffff_ffffn)).toBe(65535n);
    expect(sqrti(0x1_0000_0010n)).toBe(4n);
  });

  it('strcmp_ext compares NUL-terminated strings like C strcmp', () => {
    const cmp = (s: string, second: number) => run([movr(6, 1), movr(2, 1), I('add', { dst: 2, imm: second }), call(4), exit()], text(s));
    expect(cmp('abc\0abc\0', 4)).toBe(0n);
    expect(cmp('abc\0abd\0', 4)).toBe(M);                     // 'c' - 'd' = -1
    expect(cmp('b\0a\0', 2)).toBe(1n);
    expect(cmp('ab\0abc\0', 3)).toBe(BigInt.asUintN(64, -0x63n)); // NUL - 'c'
  });

  it('strcmp_ext traps on a string that runs out of program memory', () => {
    const e = (() => { try { run([movr(2, 1), call(4), exit()], text('abc')); } catch (err) { return err; } })();
    expect((e as RuntimeTrap).code).toBe('OUT_OF_BOUNDS');
  });

  it('unwind returns its argument, and ends the program with r0 = 0 when that is 0', () => {
    expect(run([movi(1, -1), call(5), exit()])).toBe(M);
    expect(run([movi(1, -1), call(5), movi(0, 2), exit()])).toBe(2n);
    expect(run([movi(1, 0), call(5), movi(0, 2), exit()])).toBe(0n);
  });

  it('callx reaches them by id (bpf_conformance callx.data)', () => {
    expect(run([movi(1, -1), movi(2, 5), I('call', { dst: 2 }, 'call_reg'), movi(0, 2), exit()])).toBe(2n);
    expect(run([movi(1, 0), movi(2, 5), I('call', { dst: 2 }, 'call_reg'), movi(0, 2), exit()])).toBe(0n);
  });
});
