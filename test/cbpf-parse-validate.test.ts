/**
 * Classic BPF input forms (tcpdump -dd, -ddd, struct sock_filter bytes) and the kernel's
 * checks for socket filters: each refusal has its code, class and instruction index.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cbpfInsn, compileCbpf, DecodeError, decodeCbpfBytes, encodeCbpfBytes, formatCbpfDd, formatCbpfDdd, parseCbpf,
  parseCbpfDd, parseCbpfDdd, validateCbpf, VerifierError, type CbpfInsn, CompileError,
} from '../src/index.js';

const corpus = JSON.parse(readFileSync(new URL('./fixtures/captures/tcpdump-corpus.json', import.meta.url), 'utf8')) as {
  expressions: { expr: string; dd: string; ddd: string }[];
};

// BPF_* codes spelled out, so the tests do not read them from the table under test.
const LD_H_ABS = 0x28, LD_W_ABS = 0x20, LD_B_ABS = 0x30, LD_MEM = 0x60, LDX_MEM = 0x61, ST = 0x02, STX = 0x03;
const JEQ_K = 0x15, JSET_K = 0x45, JA = 0x05, RET_K = 0x06, RET_A = 0x16, RET_X = 0x0e;
const DIV_K = 0x34, MOD_K = 0x94, LSH_K = 0x64, RSH_K = 0x74, LD_IMM = 0x00, LDX_MSH = 0xb1;
const SKF_AD_OFF = 0xfffff000;

function expectError(fn: () => unknown, cls: typeof DecodeError | typeof VerifierError, code: string, pc?: number): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    expect((e as DecodeError).code).toBe(code);
    expect((e as DecodeError).pc).toBe(pc);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('input forms', () => {
  it('reads -dd, -ddd and raw bytes of every recorded program alike, and writes them back', () => {
    for (const { expr, dd, ddd } of corpus.expressions) {
      const fromDd = parseCbpfDd(dd);
      expect(parseCbpfDdd(ddd), expr).toEqual(fromDd);
      expect(parseCbpf(dd)).toEqual(fromDd);
      expect(parseCbpf(ddd)).toEqual(fromDd);
      expect(formatCbpfDd(fromDd)).toBe(dd);
      expect(formatCbpfDdd(fromDd)).toBe(ddd);
      const bytes = encodeCbpfBytes(fromDd);
      expect(bytes.length).toBe(fromDd.length * 8);
      expect(decodeCbpfBytes(bytes)).toEqual(fromDd);
      expect(parseCbpf(bytes)).toEqual(fromDd);
      expect(parseCbpf(new TextEncoder().encode(dd))).toEqual(fromDd);
    }
  });

  it('reads struct sock_filter bytes little-endian: code u16, jt, jf, k u32', () => {
    const bytes = Uint8Array.of(0x28, 0x00, 3, 4, 0x0c, 0x00, 0x00, 0x80);
    expect(decodeCbpfBytes(bytes)).toEqual([{ code: 0x28, jt: 3, jf: 4, k: 0x8000000c }]);
  });

  it('takes a -dd program inside a C declaration, with comments and a trailing comma', () => {
    const text = `/* from tcpdump */\nstruct sock_filter code[] = {\n{ 0x28, 0, 0, 0x0000000c }, // ethertype\n{ 0x6, 0, 0, 65535, },\n};\n`;
    expect(parseCbpf(text)).toEqual([cbpfInsn(0x28, 0, 0, 12), cbpfInsn(0x06, 0, 0, 65535)]);
  });

  it('refuses malformed text and bytes with the instruction index and the line', () => {
    expectError(() => parseCbpfDd('{ 0x28, 0, 0, 12 },\n{ 0x28, 0, 0 },\n'), DecodeError, 'CBPF_SYNTAX', 1);
    expect(() => parseCbpfDd('{ 0x28, 0, 0, 12 },\n{ 0x28, 0, zz, 12 },\n')).toThrow(/line 2: jf 'zz' is not a number at pc 1/);
    expectError(() => parseCbpfDd('{ 0x28, 0x100, 0, 12 },'), DecodeError, 'CBPF_SYNTAX', 0);
    expectError(() => parseCbpfDd('{ 0x28, 0, 0, 0x100000000 },'), DecodeError, 'CBPF_SYNTAX', 0);
    expectError(() => parseCbpfDdd('3\n40 0 0 12\n6 0 0 0\n'), DecodeError, 'CBPF_COUNT_MISMATCH', 2);
    expectError(() => decodeCbpfBytes(new Uint8Array(12)), DecodeError, 'CBPF_BAD_LENGTH', 1);
    expectError(() => parseCbpf('ldh [12]\nret #0'), DecodeError, 'CBPF_SYNTAX', 0);
  });
});

const ret = (k = 0) => cbpfInsn(RET_K, 0, 0, k);

describe('the kernel\'s checks', () => {
  it('accepts what tcpdump generates, but protochain, whose loop jumps backwards', () => {
    for (const { expr, dd } of corpus.expressions) {
      if (expr.includes('protochain')) {
        // "ja 4" at 18 wraps k to 0xfffffff1: the kernel's unsigned range check refuses it.
        expectError(() => validateCbpf(parseCbpf(dd)), VerifierError, 'CBPF_JUMP_OUT_OF_RANGE', 18);
      } else {
        expect(() => validateCbpf(parseCbpf(dd)), expr).not.toThrow();
      }
    }
  });

  it('refuses empty and over-long programs', () => {
    expectError(() => validateCbpf([]), VerifierError, 'CBPF_EMPTY');
    expect(() => validateCbpf(Array.from({ length: 4096 }, () => ret()))).not.toThrow();
    expectError(() => validateCbpf(Array.from({ length: 4097 }, () => ret())), VerifierError, 'CBPF_TOO_LONG');
  });

  it('refuses codes Linux does not accept, with their index', () => {
    expectError(() => validateCbpf([ret(), cbpfInsn(RET_X), ret()]), DecodeError, 'CBPF_UNKNOWN_OPCODE', 1);
    expectError(() => validateCbpf([cbpfInsn(0xff), ret()]), DecodeError, 'CBPF_UNKNOWN_OPCODE', 0);
    expectError(() => validateCbpf([cbpfInsn(0x1234), ret()]), DecodeError, 'CBPF_UNKNOWN_OPCODE', 0);
  });

  it('refuses division and modulo by a constant 0 and shifts by 32 or more', () => {
    expectError(() => validateCbpf([cbpfInsn(LD_IMM, 0, 0, 1), cbpfInsn(DIV_K, 0, 0, 0), cbpfInsn(RET_A)]), VerifierError, 'CBPF_DIV_BY_ZERO', 1);
    expectError(() => validateCbpf([cbpfInsn(MOD_K, 0, 0, 0), cbpfInsn(RET_A)]), VerifierError, 'CBPF_DIV_BY_ZERO', 0);
    expectError(() => validateCbpf([cbpfInsn(LSH_K, 0, 0, 32), cbpfInsn(RET_A)]), VerifierError, 'CBPF_BAD_SHIFT', 0);
    expect(() => validateCbpf([cbpfInsn(RSH_K, 0, 0, 31), cbpfInsn(DIV_K, 0, 0, 3), cbpfInsn(RET_A)])).not.toThrow();
  });

  it('keeps every jump inside the program', () => {
    // ja k must land before the end: k < len - pc - 1, compared unsigned.
    expect(() => validateCbpf([cbpfInsn(JA, 0, 0, 1), ret(1), ret(2)])).not.toThrow();
    expectError(() => validateCbpf([cbpfInsn(JA, 0, 0, 2), ret(1), ret(2)]), VerifierError, 'CBPF_JUMP_OUT_OF_RANGE', 0);
    expectError(() => validateCbpf([ret(), cbpfInsn(JA, 0, 0, 0xffffffff), ret()]), VerifierError, 'CBPF_JUMP_OUT_OF_RANGE', 1);
    expect(() => validateCbpf([cbpfInsn(JEQ_K, 1, 0, 5), ret(1), ret(2)])).not.toThrow();
    expectError(() => validateCbpf([cbpfInsn(JEQ_K, 2, 0, 5), ret(1), ret(2)]), VerifierError, 'CBPF_JUMP_OUT_OF_RANGE', 0);
    expectError(() => validateCbpf([ret(), cbpfInsn(JSET_K, 0, 1, 5), ret(2)]), VerifierError, 'CBPF_JUMP_OUT_OF_RANGE', 1);
  });

  it('wants a ret last', () => {
    expectError(() => validateCbpf([ret(), cbpfInsn(LD_H_ABS, 0, 0, 12)]), VerifierError, 'CBPF_NO_RETURN', 1);
    expect(() => validateCbpf([cbpfInsn(RET_A)])).not.toThrow();
  });

  it('refuses scratch cells past M[15]', () => {
    expectError(() => validateCbpf([cbpfInsn(ST, 0, 0, 16), ret()]), VerifierError, 'CBPF_BAD_SCRATCH', 0);
    expectError(() => validateCbpf([cbpfInsn(ST, 0, 0, 0), cbpfInsn(LD_MEM, 0, 0, 99), ret()]), VerifierError, 'CBPF_BAD_SCRATCH', 1);
  });

  it('wants M[k] written before it is read along every path', () => {
    expectError(() => validateCbpf([cbpfInsn(LD_MEM, 0, 0, 3), cbpfInsn(RET_A)]), VerifierError, 'CBPF_SCRATCH_UNINIT', 0);
    // Written on the true path only: the join reads it uninitialised on the false one.
    const onePath: CbpfInsn[] = [
      cbpfInsn(LD_H_ABS, 0, 0, 12), cbpfInsn(JEQ_K, 0, 1, 0x800), cbpfInsn(ST, 0, 0, 2),
      cbpfInsn(LDX_MEM, 0, 0, 2), cbpfInsn(RET_A),
    ];
    expectError(() => validateCbpf(onePath), VerifierError, 'CBPF_SCRATCH_UNINIT', 3);
    // Written on both paths: accepted.
    const bothPaths: CbpfInsn[] = [
      cbpfInsn(LD_H_ABS, 0, 0, 12), cbpfInsn(JEQ_K, 0, 2, 0x800), cbpfInsn(ST, 0, 0, 2), cbpfInsn(JA, 0, 0, 1),
      cbpfInsn(STX, 0, 0, 2), cbpfInsn(LD_MEM, 0, 0, 2), cbpfInsn(RET_A),
    ];
    expect(() => validateCbpf(bothPaths)).not.toThrow();
    // The kernel's one pass does not reset after a ret: code after it that no jump reaches
    // keeps the cells written before the ret.
    expect(() => validateCbpf([cbpfInsn(ST, 0, 0, 1), ret(), cbpfInsn(LD_MEM, 0, 0, 1), cbpfInsn(RET_A)])).not.toThrow();
  });

  it('accepts the known ancillary loads and refuses unknown ones', () => {
    expect(() => validateCbpf([cbpfInsn(LD_W_ABS, 0, 0, SKF_AD_OFF + 0), cbpfInsn(RET_A)])).not.toThrow();
    expect(() => validateCbpf([cbpfInsn(LD_B_ABS, 0, 0, SKF_AD_OFF + 60), cbpfInsn(RET_A)])).not.toThrow();
    expectError(() => validateCbpf([cbpfInsn(LD_W_ABS, 0, 0, SKF_AD_OFF + 64), cbpfInsn(RET_A)]), VerifierError, 'CBPF_UNKNOWN_ANCILLARY', 0);
    expectError(() => validateCbpf([cbpfInsn(LD_W_ABS, 0, 0, SKF_AD_OFF + 2), cbpfInsn(RET_A)]), VerifierError, 'CBPF_UNKNOWN_ANCILLARY', 0);
    // Not an ancillary range for MSH and LD_IND: the kernel takes them as plain offsets.
    expect(() => validateCbpf([cbpfInsn(LDX_MSH, 0, 0, SKF_AD_OFF + 2), cbpfInsn(RET_A)])).not.toThrow();
  });

  it('refuses, at translation, ancillary loads of kernel state it does not have', () => {
    // SKF_AD_NLATTR: the kernel accepts it, nothing here can answer it.
    expect(() => compileCbpf([cbpfInsn(LD_W_ABS, 0, 0, SKF_AD_OFF + 12), cbpfInsn(RET_A)])).toThrow(CompileError);
    expect(() => compileCbpf([cbpfInsn(LD_W_ABS, 0, 0, SKF_AD_OFF + 12), cbpfInsn(RET_A)])).toThrow(/nla/);
  });
});

describe('the kernel as the oracle', () => {
  // Recorded by scripts/captures/kernel-cbpf-verdicts.py: SO_ATTACH_FILTER's answer on this machine.
  const recorded = JSON.parse(readFileSync(new URL('./fixtures/captures/kernel-cbpf-verdicts.json', import.meta.url), 'utf8')) as {
    kernel: string;
    /** `repeat`: the program is its one instruction that many times. */
    cases: { name: string; insns: [number, number, number, number][]; repeat?: number; verdict: string }[];
    corpus: { expr: string; verdict: string }[];
  };
  const accepts = (insns: readonly CbpfInsn[]) => {
    try {
      validateCbpf(insns);
      return 'ok';
    } catch (e) {
      expect(e instanceof DecodeError || e instanceof VerifierError).toBe(true);
      return 'EINVAL';
    }
  };

  it('accepts and refuses the hand-made cases as Linux did', () => {
    expect(recorded.cases.length).toBeGreaterThanOrEqual(30);
    expect(recorded.cases.filter((c) => c.verdict === 'EINVAL').length).toBeGreaterThanOrEqual(15);
    for (const c of recorded.cases) {
      const insns = c.insns.map(([code, jt, jf, k]) => cbpfInsn(code, jt, jf, k));
      const program = c.repeat === undefined ? insns : Array.from({ length: c.repeat }, () => insns[0]);
      expect(accepts(program), c.name).toBe(c.verdict);
    }
    expect(recorded.cases.filter((c) => c.repeat !== undefined).map((c) => [c.name, c.repeat, c.verdict]))
      .toEqual([['max length', 4096, 'ok'], ['too long', 4097, 'EINVAL']]);
  });

  it('accepts and refuses tcpdump\'s programs as Linux did', () => {
    expect(recorded.corpus.map((c) => c.expr)).toEqual(corpus.expressions.map((e) => e.expr));
    recorded.corpus.forEach((c, i) => expect(accepts(parseCbpf(corpus.expressions[i].dd)), c.expr).toBe(c.verdict));
  });
});
