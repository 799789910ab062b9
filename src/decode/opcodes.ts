/**
 * THE opcode table: the single source of truth for the eBPF instruction set
 * (RFC 9669 base32/base64, atomic32/64, divmul32/64, packet, plus callx).
 *
 * Every consumer derives from `OPCODES`: the decoder and encoder, field validation,
 * the assembler and disassembler (mnemonic + operand form), instruction classification
 * for the CFG, interpreter dispatch and the JIT emitters (the `sem` record). Nobody
 * else keeps a list of opcodes.
 *
 * An opcode byte alone does not identify an instruction: sdiv/smod and movsx are told
 * apart by `off`, byte swaps and atomics by `imm`, calls and lddw pseudo-loads by `src`.
 * Such rows carry a `match` on that field.
 */

export const CLS = { LD: 0x0, LDX: 0x1, ST: 0x2, STX: 0x3, ALU: 0x4, JMP: 0x5, JMP32: 0x6, ALU64: 0x7 } as const;
const SRC_K = 0x00;
const SRC_X = 0x08;
const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;
const SIZE_CODE = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 } as const;
const SIZE_SUFFIX = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' } as const;

export type AluOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh'
  | 'neg' | 'mod' | 'smod' | 'xor' | 'mov' | 'movsx' | 'arsh';
export type JmpCond = 'eq' | 'gt' | 'ge' | 'set' | 'ne' | 'sgt' | 'sge' | 'lt' | 'le' | 'slt' | 'sle';
export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';
export type Size = 1 | 2 | 4 | 8;
export type Source = 'reg' | 'imm';
/** lddw src_reg values (BPF_PSEUDO_*), see the kernel's include/uapi/linux/bpf.h. */
export type LddwPseudo = 'imm64' | 'map_fd' | 'map_value' | 'btf_id' | 'func' | 'map_idx' | 'map_idx_value';
export const LDDW_PSEUDOS: readonly LddwPseudo[] = [
  'imm64', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value',
];

/** What an instruction does; interpreter and JIT switch on `kind`. */
export type Semantics =
  | { kind: 'alu'; op: AluOp; width: 32 | 64; source: Source; /** movsx: bits sign-extended */ extFrom?: 8 | 16 | 32 }
  | { kind: 'endian'; order: 'le' | 'be' | 'swap'; bits: 16 | 32 | 64 }
  | { kind: 'jmp'; cond: JmpCond; width: 32 | 64; source: Source }
  /** Unconditional jump: `ja` takes its offset from `off`, `ja32` (gotol) from `imm`. */
  | { kind: 'ja'; wide: boolean }
  /** may_goto +off: falls through while the run's loop allowance lasts, then jumps (BPF_JCOND, src 0). */
  | { kind: 'may_goto' }
  | { kind: 'call'; target: 'helper' | 'local' | 'reg' }
  | { kind: 'exit' }
  | { kind: 'lddw'; pseudo: LddwPseudo }
  | { kind: 'load'; size: Size; signed: boolean }
  | { kind: 'store'; size: Size; source: Source }
  | { kind: 'atomic'; op: AtomicOp; fetch: boolean; size: 4 | 8 }
  | { kind: 'packet'; mode: 'abs' | 'ind'; size: 1 | 2 | 4 };

/**
 * Operand shapes; each names the fields it uses and its assembler syntax:
 *   dst_src      add %r1, %r2          dst_imm     add %r1, 5
 *   dst          neg %r1 / be16 %r1
 *   jmp_reg      jeq %r1, %r2, +3       jmp_imm     jeq %r1, 5, +3
 *   ja_off       ja +3                  ja_imm      ja32 +3
 *   call_helper  call 5                 call_local  call local +3
 *   call_reg     call %r2               none        exit
 *   lddw         lddw %r1, 0x1122334455667788 (or map_fd(3), map_value(3, 8), ...)
 *   load         ldxw %r1, [%r2+4]      store_imm   stw [%r1+4], 5
 *   store_reg    stxw [%r1+4], %r2 / lock add [%r1+4], %r2
 *   ld_abs       ldabsw 12              ld_ind      ldindw %r2, 12
 */
export type Form =
  | 'dst_src' | 'dst_imm' | 'dst' | 'jmp_reg' | 'jmp_imm' | 'ja_off' | 'ja_imm'
  | 'call_helper' | 'call_local' | 'call_reg' | 'none' | 'lddw' | 'load'
  | 'store_imm' | 'store_reg' | 'ld_abs' | 'ld_ind';

export type Field = 'dst' | 'src' | 'off' | 'imm';

const FORM_FIELDS: Record<Form, readonly Field[]> = {
  dst_src: ['dst', 'src'],
  dst_imm: ['dst', 'imm'],
  dst: ['dst'],
  jmp_reg: ['dst', 'src', 'off'],
  jmp_imm: ['dst', 'imm', 'off'],
  ja_off: ['off'],
  ja_imm: ['imm'],
  call_helper: ['imm'],
  call_local: ['imm'],
  call_reg: ['dst'],
  none: [],
  lddw: ['dst', 'imm'],
  load: ['dst', 'src', 'off'],
  store_imm: ['dst', 'off', 'imm'],
  store_reg: ['dst', 'src', 'off'],
  ld_abs: ['imm'],
  ld_ind: ['src', 'imm'],
};

export interface OpSpec {
  /** Assembler mnemonic in the bpf_conformance syntax (`lock fetch add32` for atomics). */
  readonly mnemonic: string;
  readonly opcode: number;
  /** Instruction class, `opcode & 7`. */
  readonly cls: number;
  /** A field whose value selects this row among rows sharing the opcode byte. */
  readonly match?: { readonly field: Field; readonly value: number };
  readonly form: Form;
  /** Fields that carry meaning; any other field must be zero. */
  readonly uses: ReadonlySet<Field>;
  /** Number of 8-byte slots (2 for lddw). */
  readonly slots: 1 | 2;
  /**
   * The register field whose register the instruction writes, so that it must not name
   * r10: `dst` for ALU, byte swaps, lddw and loads; `src` for atomics that fetch the old
   * value into it (cmpxchg fetches into r0, calls write r0: never r10).
   */
  readonly writes?: 'dst' | 'src';
  readonly sem: Semantics;
}

function row(mnemonic: string, opcode: number, form: Form, sem: Semantics, match?: OpSpec['match']): OpSpec {
  const uses = new Set<Field>(FORM_FIELDS[form]);
  if (match) uses.add(match.field);
  return { mnemonic, opcode, cls: opcode & 7, match, form, uses, slots: sem.kind === 'lddw' ? 2 : 1, writes: writtenField(sem), sem };
}

function writtenField(sem: Semantics): OpSpec['writes'] {
  if (sem.kind === 'alu' || sem.kind === 'endian' || sem.kind === 'lddw' || sem.kind === 'load') return 'dst';
  return sem.kind === 'atomic' && sem.fetch && sem.op !== 'cmpxchg' ? 'src' : undefined;
}

const ALU_OPS: readonly [AluOp, number][] = [
  ['add', 0x00], ['sub', 0x10], ['mul', 0x20], ['div', 0x30], ['or', 0x40], ['and', 0x50],
  ['lsh', 0x60], ['rsh', 0x70], ['mod', 0x90], ['xor', 0xa0], ['mov', 0xb0], ['arsh', 0xc0],
];
/** Signed division and modulo reuse div/mod opcodes with off = 1. */
const SIGNED_ALU_OPS: readonly [AluOp, number][] = [['sdiv', 0x30], ['smod', 0x90]];
const NEG = 0x80;
const END = 0xd0;

const JMP_OPS: readonly [string, JmpCond, number][] = [
  ['jeq', 'eq', 0x10], ['jgt', 'gt', 0x20], ['jge', 'ge', 0x30], ['jset', 'set', 0x40],
  ['jne', 'ne', 0x50], ['jsgt', 'sgt', 0x60], ['jsge', 'sge', 0x70], ['jlt', 'lt', 0xa0],
  ['jle', 'le', 0xb0], ['jslt', 'slt', 0xc0], ['jsle', 'sle', 0xd0],
];
const JA = 0x00;
/** BPF_JCOND: may_goto (src_reg BPF_MAY_GOTO = 0, the only one). */
const JCOND = 0xe0;
/** BPF_LOAD_ACQ and BPF_STORE_REL: the imm of an atomic that is an ordered load or store. */
const LOAD_ACQUIRE = 0x100;
const STORE_RELEASE = 0x110;
const CALL = 0x80;
const EXIT = 0x90;

/** imm values of the atomic instructions; FETCH (0x01) is part of xchg/cmpxchg. */
const ATOMIC_OPS: readonly [AtomicOp, boolean, number][] = [
  ['add', false, 0x00], ['or', false, 0x40], ['and', false, 0x50], ['xor', false, 0xa0],
  ['add', true, 0x01], ['or', true, 0x41], ['and', true, 0x51], ['xor', true, 0xa1],
  ['xchg', true, 0xe1], ['cmpxchg', true, 0xf1],
];

function buildTable(): OpSpec[] {
  const t: OpSpec[] = [];
  for (const width of [64, 32] as const) {
    const cls = width === 64 ? CLS.ALU64 : CLS.ALU;
    const sfx = width === 64 ? '' : '32';
    for (const [op, code] of ALU_OPS) {
      // div/mod share their opcodes with sdiv/smod (off = 1), mov with movsx (off = 8/16/32).
      const offZero = op === 'div' || op === 'mod' ? { field: 'off' as const, value: 0 } : undefined;
      const regOffZero = offZero ?? (op === 'mov' ? { field: 'off' as const, value: 0 } : undefined);
      t.push(row(op + sfx, cls | code | SRC_K, 'dst_imm', { kind: 'alu', op, width, source: 'imm' }, offZero));
      t.push(row(op + sfx, cls | code | SRC_X, 'dst_src', { kind: 'alu', op, width, source: 'reg' }, regOffZero));
    }
    for (const [op, code] of SIGNED_ALU_OPS) {
      const off1 = { field: 'off' as const, value: 1 };
      t.push(row(op + sfx, cls | code | SRC_K, 'dst_imm', { kind: 'alu', op, width, source: 'imm' }, off1));
      t.push(row(op + sfx, cls | code | SRC_X, 'dst_src', { kind: 'alu', op, width, source: 'reg' }, off1));
    }
    t.push(row('neg' + sfx, cls | NEG | SRC_K, 'dst', { kind: 'alu', op: 'neg', width, source: 'imm' }));
    // movsx: mov with off = bits to sign-extend from; movsx864 = 64-bit dst from 8 bits.
    for (const extFrom of width === 64 ? ([8, 16, 32] as const) : ([8, 16] as const)) {
      t.push(row(`movsx${extFrom}${width}`, cls | 0xb0 | SRC_X, 'dst_src',
        { kind: 'alu', op: 'movsx', width, source: 'reg', extFrom }, { field: 'off', value: extFrom }));
    }
  }
  for (const bits of [16, 32, 64] as const) {
    const m = { field: 'imm' as const, value: bits };
    t.push(row(`le${bits}`, CLS.ALU | END | SRC_K, 'dst', { kind: 'endian', order: 'le', bits }, m));
    t.push(row(`be${bits}`, CLS.ALU | END | SRC_X, 'dst', { kind: 'endian', order: 'be', bits }, m));
    t.push(row(`bswap${bits}`, CLS.ALU64 | END | SRC_K, 'dst', { kind: 'endian', order: 'swap', bits }, m));
  }
  for (const width of [64, 32] as const) {
    const cls = width === 64 ? CLS.JMP : CLS.JMP32;
    const sfx = width === 64 ? '' : '32';
    for (const [name, cond, code] of JMP_OPS) {
      t.push(row(name + sfx, cls | code | SRC_K, 'jmp_imm', { kind: 'jmp', cond, width, source: 'imm' }));
      t.push(row(name + sfx, cls | code | SRC_X, 'jmp_reg', { kind: 'jmp', cond, width, source: 'reg' }));
    }
  }
  t.push(row('ja', CLS.JMP | JA, 'ja_off', { kind: 'ja', wide: false }));
  t.push(row('ja32', CLS.JMP32 | JA, 'ja_imm', { kind: 'ja', wide: true }));
  t.push(row('may_goto', CLS.JMP | JCOND, 'ja_off', { kind: 'may_goto' }));
  t.push(row('call', CLS.JMP | CALL | SRC_K, 'call_helper', { kind: 'call', target: 'helper' }, { field: 'src', value: 0 }));
  t.push(row('call', CLS.JMP | CALL | SRC_K, 'call_local', { kind: 'call', target: 'local' }, { field: 'src', value: 1 }));
  t.push(row('call', CLS.JMP | CALL | SRC_X, 'call_reg', { kind: 'call', target: 'reg' }));
  t.push(row('exit', CLS.JMP | EXIT, 'none', { kind: 'exit' }));

  LDDW_PSEUDOS.forEach((pseudo, src) => {
    t.push(row('lddw', CLS.LD | MODE.IMM | SIZE_CODE[8], 'lddw', { kind: 'lddw', pseudo }, { field: 'src', value: src }));
  });
  for (const size of [1, 2, 4, 8] as const) {
    const s = SIZE_SUFFIX[size];
    t.push(row(`ldx${s}`, CLS.LDX | MODE.MEM | SIZE_CODE[size], 'load', { kind: 'load', size, signed: false }));
    if (size !== 8) {
      t.push(row(`ldxs${s}`, CLS.LDX | MODE.MEMSX | SIZE_CODE[size], 'load', { kind: 'load', size, signed: true }));
    }
    t.push(row(`st${s}`, CLS.ST | MODE.MEM | SIZE_CODE[size], 'store_imm', { kind: 'store', size, source: 'imm' }));
    t.push(row(`stx${s}`, CLS.STX | MODE.MEM | SIZE_CODE[size], 'store_reg', { kind: 'store', size, source: 'reg' }));
  }
  for (const size of [4, 8] as const) {
    const sfx = size === 8 ? '' : '32';
    for (const [op, fetch, imm] of ATOMIC_OPS) {
      const name = `lock ${fetch && op !== 'xchg' && op !== 'cmpxchg' ? 'fetch ' : ''}${op}${sfx}`;
      t.push(row(name, CLS.STX | MODE.ATOMIC | SIZE_CODE[size], 'store_reg',
        { kind: 'atomic', op, fetch, size }, { field: 'imm', value: imm }));
    }
  }
  // Load-acquire and store-release (Linux 6.15): BPF_ATOMIC with imm 0x100 / 0x110 in
  // every size, laid out as ldx and stx. A program runs on one thread here, so they are
  // a plain load and store.
  for (const size of [1, 2, 4, 8] as const) {
    const s = SIZE_SUFFIX[size];
    const atomic = CLS.STX | MODE.ATOMIC | SIZE_CODE[size];
    t.push(row(`ldacq${s}`, atomic, 'load', { kind: 'load', size, signed: false }, { field: 'imm', value: LOAD_ACQUIRE }));
    t.push(row(`strel${s}`, atomic, 'store_reg', { kind: 'store', size, source: 'reg' }, { field: 'imm', value: STORE_RELEASE }));
  }
  for (const size of [1, 2, 4] as const) {
    const s = SIZE_SUFFIX[size];
    t.push(row(`ldabs${s}`, CLS.LD | MODE.ABS | SIZE_CODE[size], 'ld_abs', { kind: 'packet', mode: 'abs', size }));
    t.push(row(`ldind${s}`, CLS.LD | MODE.IND | SIZE_CODE[size], 'ld_ind', { kind: 'packet', mode: 'ind', size }));
  }
  return t;
}

/** Every instruction of the ISA, one row each. */
export const OPCODES: readonly OpSpec[] = Object.freeze(buildTable());

/** Rows indexed by opcode byte (several rows share a byte when a `match` tells them apart). */
export const SPECS_BY_OPCODE: readonly (readonly OpSpec[])[] = (() => {
  const byOpcode: OpSpec[][] = Array.from({ length: 256 }, () => []);
  for (const spec of OPCODES) byOpcode[spec.opcode].push(spec);
  return byOpcode;
})();

/** Rows indexed by mnemonic (the assembler picks among them by operand form). */
export const SPECS_BY_MNEMONIC: ReadonlyMap<string, readonly OpSpec[]> = (() => {
  const m = new Map<string, OpSpec[]>();
  for (const spec of OPCODES) {
    const list = m.get(spec.mnemonic) ?? [];
    list.push(spec);
    m.set(spec.mnemonic, list);
  }
  return m;
})();

/** Mnemonics accepted by the assembler as aliases (the bpf_conformance suite writes `swap16`). */
export const MNEMONIC_ALIASES: ReadonlyMap<string, string> = new Map([
  ['swap16', 'bswap16'], ['swap32', 'bswap32'], ['swap64', 'bswap64'],
  ['mov64', 'mov'], ['add64', 'add'], ['sub64', 'sub'], ['mul64', 'mul'], ['div64', 'div'],
  ['or64', 'or'], ['and64', 'and'], ['lsh64', 'lsh'], ['rsh64', 'rsh'], ['neg64', 'neg'],
  ['mod64', 'mod'], ['xor64', 'xor'], ['arsh64', 'arsh'], ['sdiv64', 'sdiv'], ['smod64', 'smod'],
  ['gotol', 'ja32'], ['callx', 'call'],
]);

/** The row for a (opcode, src, off, imm) combination, or undefined. */
export function findSpec(opcode: number, src: number, off: number, imm: number): OpSpec | undefined {
  for (const spec of SPECS_BY_OPCODE[opcode] ?? []) {
    if (!spec.match) return spec;
    const { field, value } = spec.match;
    const actual = field === 'src' ? src : field === 'off' ? off : field === 'imm' ? imm : NaN;
    if (actual === value) return spec;
  }
  return undefined;
}
