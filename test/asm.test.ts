import { describe, expect, it } from 'vitest';
import { assemble, assembleBytes, ASM_ERROR_CODES } from '../src/decode/asm.js';
import { AsmError } from '../src/errors.js';

/** Assembled bytes as hex, one string per 8-byte slot. */
function slots(text: string): string[] {
  const hex = Buffer.from(assembleBytes(text)).toString('hex');
  return hex.match(/.{16}/g) ?? [];
}

/** Each case: source line(s) -> the expected slots (opcode, regs, off LE, imm LE). */
function expectBytes(cases: readonly (readonly [string, ...string[]])[]): void {
  it.each(cases)('%s', (text, ...expected) => {
    expect(slots(text)).toEqual(expected);
  });
}

describe('ALU', () => {
  expectBytes([
    ['add %r1, %r2', '0f21000000000000'],
    ['add %r1, 5', '0701000005000000'],
    ['add32 %r1, %r2', '0c21000000000000'],
    ['add32 %r1, 5', '0401000005000000'],
    ['add64 %r1, 5', '0701000005000000'],
    ['add r1, r2', '0f21000000000000'],
    ['sub %r3, %r4', '1f43000000000000'],
    ['mul32 %r0, 7', '2400000007000000'],
    ['div %r1, %r2', '3f21000000000000'],
    ['or %r1, 0x10', '4701000010000000'],
    ['and32 %r1, %r2', '5c21000000000000'],
    ['lsh %r1, 63', '670100003f000000'],
    ['rsh32 %r1, %r9', '7c91000000000000'],
    ['mod %r1, 3', '9701000003000000'],
    ['xor %r1, %r1', 'af11000000000000'],
    ['arsh32 %r1, 1', 'c401000001000000'],
    ['mov %r0, %r10', 'bfa0000000000000'],
    ['mov32 %r0, 1', 'b400000001000000'],
    ['mov64 %r0, 1', 'b700000001000000'],
    ['neg %r1', '8701000000000000'],
    ['neg32 %r1', '8401000000000000'],
    ['neg64 %r1', '8701000000000000'],
    ['sdiv %r1, %r2', '3f21010000000000'],
    ['sdiv32 %r1, -3', '34010100fdffffff'],
    ['smod %r1, 3', '9701010003000000'],
    ['smod32 %r1, %r2', '9c21010000000000'],
    ['sdiv64 %r1, %r2', '3f21010000000000'],
    ['movsx832 %r2, %r1', 'bc12080000000000'],
    ['movsx1632 %r2, %r1', 'bc12100000000000'],
    ['movsx864 %r2, %r1', 'bf12080000000000'],
    ['movsx1664 %r2, %r1', 'bf12100000000000'],
    ['movsx3264 %r3, %r4', 'bf43200000000000'],
  ]);
});

describe('byte swaps', () => {
  expectBytes([
    ['le16 %r1', 'd401000010000000'],
    ['le32 %r1', 'd401000020000000'],
    ['le64 %r1', 'd401000040000000'],
    ['be16 %r2', 'dc02000010000000'],
    ['be32 %r2', 'dc02000020000000'],
    ['be64 %r2', 'dc02000040000000'],
    ['bswap16 %r3', 'd703000010000000'],
    ['bswap32 %r3', 'd703000020000000'],
    ['bswap64 %r3', 'd703000040000000'],
    ['swap16 %r3', 'd703000010000000'],
    ['swap32 %r3', 'd703000020000000'],
    ['swap64 %r3', 'd703000040000000'],
  ]);
});

describe('immediates', () => {
  expectBytes([
    ['mov %r0, 0', 'b700000000000000'],
    ['mov %r0, -1', 'b7000000ffffffff'],
    ['mov %r0, 0xffffffff', 'b7000000ffffffff'],
    ['mov %r0, 4294967295', 'b7000000ffffffff'],
    ['mov %r0, 0XFF', 'b7000000ff000000'],
    ['mov %r0, +7', 'b700000007000000'],
    ['mov %r0, -0x10', 'b7000000f0ffffff'],
    ['mov %r0, 0x7fffffff', 'b7000000ffffff7f'],
    ['mov %r0, -2147483648', 'b700000000000080'],
    ['mov %r0, -0x80000000', 'b700000000000080'],
    ['mov %r0, 0x80000000', 'b700000000000080'],
    ['mov %r0, 007', 'b700000007000000'],
  ]);
});

describe('lddw', () => {
  expectBytes([
    ['lddw %r0, 0x1122334455667788', '1800000088776655', '0000000044332211'],
    ['lddw %r1, 5', '1801000005000000', '0000000000000000'],
    ['lddw %r1, -1', '18010000ffffffff', '00000000ffffffff'],
    ['lddw %r1, 18446744073709551615', '18010000ffffffff', '00000000ffffffff'],
    ['lddw %r1, 0xffffffffffffffff', '18010000ffffffff', '00000000ffffffff'],
    ['lddw %r1, -0x8000000000000000', '1801000000000000', '0000000000000080'],
    ['lddw %r1, -9223372036854775808', '1801000000000000', '0000000000000080'],
    ['lddw %r1, 0x100000000', '1801000000000000', '0000000001000000'],
    ['lddw %r1, map_fd(3)', '1811000003000000', '0000000000000000'],
    ['lddw %r2, map_value(3, 16)', '1822000003000000', '0000000010000000'],
    ['lddw %r2, map_value(3,0x10)', '1822000003000000', '0000000010000000'],
    ['lddw %r1, btf_id(5)', '1831000005000000', '0000000000000000'],
    ['lddw %r1, btf_id(5, 7)', '1831000005000000', '0000000007000000'],
    ['lddw %r1, func(+2)', '1841000002000000', '0000000000000000'],
    ['lddw %r1, func(-3)', '18410000fdffffff', '0000000000000000'],
    ['lddw %r1, map_idx(0)', '1851000000000000', '0000000000000000'],
    ['lddw %r1, map_idx_value(0, 8)', '1861000000000000', '0000000008000000'],
    ['lddw %r1, map_fd ( 3 )', '1811000003000000', '0000000000000000'],
  ]);

  it('func(label) holds the pc-relative offset of the function, like call local', () => {
    // lddw occupies slots 0-1, exit slot 2, f is slot 3: imm = 3 - (0 + 1) = 2.
    expect(slots('lddw %r1, func(f)\nexit\nf:\nexit')).toEqual([
      '1841000002000000', '0000000000000000', '9500000000000000', '9500000000000000',
    ]);
  });
});

describe('memory', () => {
  expectBytes([
    ['ldxw %r1, [%r2+4]', '6121040000000000'],
    ['ldxdw %r0, [%r10-8]', '79a0f8ff00000000'],
    ['ldxb %r0, [%r1]', '7110000000000000'],
    ['ldxh %r0, [%r1+0x10]', '6910100000000000'],
    ['ldxh %r0, [%r1-0x10]', '6910f0ff00000000'],
    ['ldxsb %r0, [%r1+1]', '9110010000000000'],
    ['ldxsh %r0, [%r1+2]', '8910020000000000'],
    ['ldxsw %r0, [%r1+4]', '8110040000000000'],
    ['ldxw %r1, [ %r2 + 4 ]', '6121040000000000'],
    ['ldxw %r1, [r2+4]', '6121040000000000'],
    ['ldxw %r1, [%r2-32768]', '6121008000000000'],
    ['ldxw %r1, [%r2+0x7fff]', '6121ff7f00000000'],
    ['stw [%r1+4], 5', '6201040005000000'],
    ['stb [%r1], -1', '72010000ffffffff'],
    ['sth [%r10-2], 0x1122', '6a0afeff22110000'],
    ['stdw [%r1+8], 0xffffffff', '7a010800ffffffff'],
    ['stxdw [%r10-8], %r1', '7b1af8ff00000000'],
    ['stxb [%r1], %r2', '7321000000000000'],
    ['stxh [%r1+2], %r2', '6b21020000000000'],
    ['stxw [%r1+4], %r2', '6321040000000000'],
  ]);
});

describe('atomics', () => {
  expectBytes([
    ['lock add [%r10-8], %r1', 'db1af8ff00000000'],
    ['lock add32 [%r10-8], %r1', 'c31af8ff00000000'],
    ['lock fetch add [%r1], %r2', 'db21000001000000'],
    ['lock fetch add32 [%r10-8], %r1', 'c31af8ff01000000'],
    ['lock or [%r1], %r2', 'db21000040000000'],
    ['lock fetch or32 [%r1], %r2', 'c321000041000000'],
    ['lock and [%r1], %r2', 'db21000050000000'],
    ['lock fetch and [%r1], %r2', 'db21000051000000'],
    ['lock xor32 [%r1], %r2', 'c3210000a0000000'],
    ['lock fetch xor [%r1], %r2', 'db210000a1000000'],
    ['lock xchg [%r1+8], %r2', 'db210800e1000000'],
    ['lock xchg32 [%r1], %r2', 'c3210000e1000000'],
    ['lock cmpxchg [%r10-8], %r1', 'db1af8fff1000000'],
    ['lock cmpxchg32 [%r10-8], %r1', 'c31af8fff1000000'],
    ['lock   fetch   add [%r1], %r2', 'db21000001000000'],
    // Load-acquire and store-release: BPF_ATOMIC imm 0x100 / 0x110 (the kernel corpus's insn/load_acquire.hex).
    ['ldacqdw %r0, [%r10-8]', 'dba0f8ff00010000'],
    ['streldw [%r10-16], %r1', 'db1af0ff10010000'],
    ['ldacqb %r2, [%r1+3]', 'd312030000010000'],
    ['strelh [%r1], %r2', 'cb21000010010000'],
    ['LOCK FETCH ADD [%r1], %r2', 'db21000001000000'],
  ]);
});

describe('jumps', () => {
  expectBytes([
    ['jeq %r1, %r2, +3', '1d21030000000000'],
    ['jeq %r1, 5, -2', '1501feff05000000'],
    ['jeq %r1, 5, 2', '1501020005000000'],
    ['jeq %r1, 0xffffffff, +0', '15010000ffffffff'],
    ['jgt %r1, %r2, +1', '2d21010000000000'],
    ['jge %r1, 1, +1', '3501010001000000'],
    ['jset %r1, %r2, +1', '4d21010000000000'],
    ['jne %r1, 1, +1', '5501010001000000'],
    ['jsgt %r1, %r2, +1', '6d21010000000000'],
    ['jsge %r1, -1, +1', '75010100ffffffff'],
    ['jlt %r1, %r2, +1', 'ad21010000000000'],
    ['jle %r1, 1, +1', 'b501010001000000'],
    ['jslt %r1, %r2, +1', 'cd21010000000000'],
    ['jsle %r1, 1, +1', 'd501010001000000'],
    ['jeq32 %r1, 5, +1', '1601010005000000'],
    ['jne32 %r1, %r2, +1', '5e21010000000000'],
    ['jsle32 %r1, -2, -1', 'd601fffffeffffff'],
    ['ja +1', '0500010000000000'],
    ['may_goto +3', 'e500030000000000'],
    ['ja -1', '0500ffff00000000'],
    ['ja +32767', '0500ff7f00000000'],
    ['ja -32768', '0500008000000000'],
    ['ja32 +1', '0600000001000000'],
    ['gotol +1', '0600000001000000'],
    ['ja32 -0x80000000', '0600000000000080'],
  ]);

  it('resolves forward and backward labels, counting lddw as two slots', () => {
    expect(slots('ja end\nmov %r0, 1\nend:\nexit')).toEqual([
      '0500010000000000', 'b700000001000000', '9500000000000000',
    ]);
    expect(slots('top: mov %r0, 0\nja top')).toEqual(['b700000000000000', '0500feff00000000']);
    expect(slots('ja l\nlddw %r0, 1\nl: exit')).toEqual([
      '0500020000000000', '1800000001000000', '0000000000000000', '9500000000000000',
    ]);
  });

  it('accepts several labels on one line and a label at the end of the program', () => {
    expect(slots('a: b: ja c\nc:')).toEqual(['0500000000000000']);
    expect(slots('ja a\na: b: jeq %r1, 0, b')).toEqual(['0500000000000000', '1501ffff00000000']);
  });

  it('ja32 and gotol take a label and put the offset in imm', () => {
    expect(slots('ja32 L2\nL1:\nexit\nL2:\ngotol L1')).toEqual([
      '0600000001000000', '9500000000000000', '06000000feffffff',
    ]);
  });

  it('the implicit label `exit` is the first exit instruction', () => {
    expect(slots('jeq %r1, 0x1a8c0, exit\nmov %r0, 1\nexit\nexit')).toEqual([
      '15010100c0a80100', 'b700000001000000', '9500000000000000', '9500000000000000',
    ]);
  });

  it('an explicit label named exit wins over the implicit one', () => {
    expect(slots('jeq %r1, 0, exit\nexit\nexit:\nmov %r0, 2\nexit')).toEqual([
      '1501010000000000', '9500000000000000', 'b700000002000000', '9500000000000000',
    ]);
  });

  it('labels are case-sensitive', () => {
    expect(slots('ja L\nl: exit\nL: exit')).toEqual(['0500010000000000', '9500000000000000', '9500000000000000']);
  });
});

describe('calls and exit', () => {
  expectBytes([
    ['call 5', '8500000005000000'],
    ['call 0xffffffff', '85000000ffffffff'],
    ['call local +3', '8510000003000000'],
    ['call local -1', '85100000ffffffff'],
    ['call %r2', '8d02000000000000'],
    ['callx %r2', '8d02000000000000'],
    ['exit', '9500000000000000'],
  ]);

  it('call local takes a label', () => {
    expect(slots('call local f\nexit\nf:\nmov %r0, 1\nexit')).toEqual([
      '8510000001000000', '9500000000000000', 'b700000001000000', '9500000000000000',
    ]);
  });
});

describe('legacy packet loads', () => {
  expectBytes([
    ['ldabsb 12', '300000000c000000'],
    ['ldabsh 12', '280000000c000000'],
    ['ldabsw 0x10', '2000000010000000'],
    ['ldindb %r2, 12', '502000000c000000'],
    ['ldindh %r2, 12', '482000000c000000'],
    ['ldindw %r2, -4', '40200000fcffffff'],
  ]);
});

describe('layout of the source text', () => {
  it('ignores comments, blank lines and whitespace; tolerates spacing around commas', () => {
    const text = [
      '# a comment line',
      '',
      '   mov %r1,%r2   # trailing comment',
      '\tadd   %r1 ,  5',
      'exit#no space before the comment',
      '   ',
    ].join('\n');
    expect(slots(text)).toEqual(['bf21000000000000', '0701000005000000', '9500000000000000']);
  });

  it('accepts CRLF line endings', () => {
    expect(slots('mov %r0, 1\r\nexit\r\n')).toEqual(['b700000001000000', '9500000000000000']);
  });

  it('an empty program assembles to nothing', () => {
    expect(assemble('')).toEqual([]);
    expect(assemble('# only a comment\n\n')).toEqual([]);
  });

  it('returns instructions with slot indices as pc and the table row', () => {
    const insns = assemble('lddw %r1, 1\nadd %r1, %r2\nexit');
    expect(insns.map((i) => [i.pc, i.spec.mnemonic, i.spec.form])).toEqual([
      [0, 'lddw', 'lddw'], [2, 'add', 'dst_src'], [3, 'exit', 'none'],
    ]);
    expect(insns[1]).toMatchObject({ opcode: 0x0f, dst: 1, src: 2, off: 0, imm: 0 });
  });
});

describe('errors carry a stable code and the 1-based source line', () => {
  const cases: readonly [code: string, text: string, line: number][] = [
    ['UNKNOWN_MNEMONIC', 'exit\nfoo %r1', 2],
    ['UNKNOWN_MNEMONIC', 'lock nand [%r1], %r2', 1],
    ['UNKNOWN_MNEMONIC', 'mov32x %r1, 1', 1],
    ['OPERAND_COUNT', 'mov %r0, 1\n\nadd %r1', 3],
    ['OPERAND_COUNT', 'exit %r1', 1],
    ['OPERAND_COUNT', 'jeq %r1, %r2', 1],
    ['OPERAND_COUNT', 'add %r1 %r2', 1],
    ['OPERAND_COUNT', 'le16 %r1, 16', 1],
    ['BAD_OPERAND', 'add [%r1], 5', 1],
    ['BAD_OPERAND', 'ldxw %r1, %r2', 1],
    ['BAD_OPERAND', 'stxw %r1, [%r2]', 1],
    ['BAD_OPERAND', 'ldxw %r1, [%r2+]', 1],
    ['BAD_OPERAND', 'jeq %r1, 5, @x', 1],
    ['BAD_OPERAND', 'add %r1,, 5', 1],
    ['BAD_OPERAND', 'call local', 1],
    ['BAD_OPERAND', 'call func1', 1],
    ['BAD_OPERAND', 'mov %r1, label', 1],
    ['BAD_REGISTER', 'mov %r11, 1', 1],
    ['BAD_REGISTER', 'mov r12, 1', 1],
    ['BAD_REGISTER', 'exit\nmov %r0, %foo', 2],
    ['BAD_REGISTER', 'ldxw %r1, [%r11+0]', 1],
    ['BAD_REGISTER', 'call %r16', 1],
    ['BAD_IMMEDIATE', 'mov %r1, 5x', 1],
    ['BAD_IMMEDIATE', 'mov %r1, 0x', 1],
    ['BAD_IMMEDIATE', 'ldxw %r1, [%r2+zz]', 1],
    ['BAD_IMMEDIATE', 'lddw %r1, map_fd(x)', 1],
    ['IMM_OUT_OF_RANGE', 'mov %r1, 0x100000000', 1],
    ['IMM_OUT_OF_RANGE', 'mov %r1, -2147483649', 1],
    ['IMM_OUT_OF_RANGE', 'ldxw %r1, [%r2+32768]', 1],
    ['IMM_OUT_OF_RANGE', 'stw [%r2-32769], 1', 1],
    ['IMM_OUT_OF_RANGE', 'lddw %r1, 0x10000000000000000', 1],
    ['IMM_OUT_OF_RANGE', 'lddw %r1, -9223372036854775809', 1],
    ['IMM_OUT_OF_RANGE', 'lddw %r1, map_value(1, 0x100000000)', 1],
    ['BAD_PSEUDO', 'lddw %r1, foo(1)', 1],
    ['BAD_PSEUDO', 'lddw %r1, imm64(1)', 1],
    ['BAD_PSEUDO', 'lddw %r1, map_value(1)', 1],
    ['BAD_PSEUDO', 'lddw %r1, map_fd(1, 2, 3)', 1],
    ['BAD_LABEL', 'exit\n1abc:', 2],
    ['BAD_LABEL', 'a-b: exit', 1],
    ['DUPLICATE_LABEL', 'a:\nexit\na:\nexit', 3],
    ['UNKNOWN_LABEL', 'exit\nja nowhere', 2],
    ['UNKNOWN_LABEL', 'call local f', 1],
    ['UNKNOWN_LABEL', 'lddw %r1, func(f)', 1],
    ['UNKNOWN_LABEL', 'jeq %r1, 0, exit', 1],
    ['JUMP_OUT_OF_RANGE', 'ja +32768', 1],
    ['JUMP_OUT_OF_RANGE', 'exit\njeq %r1, 0, -32769', 2],
    ['JUMP_OUT_OF_RANGE', 'ja32 +0x80000000', 1],
    ['JUMP_OUT_OF_RANGE', 'call local -2147483649', 1],
    ['WRITE_R10', 'mov %r10, 1', 1],
    ['WRITE_R10', 'exit\nadd32 %r10, %r1', 2],
    ['WRITE_R10', 'ldxw %r10, [%r1]', 1],
    ['WRITE_R10', 'lddw %r10, 1', 1],
    ['WRITE_R10', 'be16 %r10', 1],
    ['WRITE_R10', 'movsx864 %r10, %r1', 1],
  ];

  it.each(cases)('%s: %j at line %i', (code, text, line) => {
    let caught: unknown;
    try {
      assemble(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AsmError);
    expect(caught).toMatchObject({ code, line });
    expect((caught as AsmError).message).toMatch(new RegExp(`^line ${line}: `));
  });

  it('a jump over more than 32767 slots to a label is out of range', () => {
    const far = 'ja end\n' + 'mov %r0, 0\n'.repeat(32768) + 'end: exit';
    expect(() => assemble(far)).toThrow(expect.objectContaining({ code: 'JUMP_OUT_OF_RANGE', line: 1 }));
    const justFits = 'ja end\n' + 'mov %r0, 0\n'.repeat(32767) + 'end: exit';
    expect(assemble(justFits)[0].off).toBe(32767);
  });

  it('non-string input is rejected with BAD_INPUT', () => {
    expect(() => assemble(5 as unknown as string)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('stores and reads of r10 are fine: only instructions that write dst are refused', () => {
    expect(slots('stxdw [%r10-8], %r1\nldxdw %r1, [%r10-8]\njeq %r10, 0, +0')).toHaveLength(3);
  });

  it('every documented code is exercised above', () => {
    const exercised = new Set([...cases.map((c) => c[0]), 'BAD_INPUT']);
    expect([...ASM_ERROR_CODES].filter((c) => !exercised.has(c))).toEqual([]);
  });
});
