/**
 * Assembler for the bpf_conformance / ubpf text syntax (`mov %r1, 5`, `ldxw %r0, [%r1+4]`,
 * `jeq %r1, 0x10, label`, `lock fetch add32 [%r10-8], %r1`, ...).
 *
 * It keeps no opcode list of its own: the mnemonic selects rows of the opcode table and the
 * operands' shapes select the row's `form` (`add %r1, %r2` is the dst_src row of `add`,
 * `add %r1, 5` its dst_imm row). `FORM_OPERANDS` says, per form, which operand goes into
 * which instruction field. Two passes: parse every line, then resolve labels.
 */

import { FP } from '../abi/registers.js';
import { AsmError } from '../errors.js';
import { encode } from './encode.js';
import { makeInsn, type Insn, type InsnFields } from './insn.js';
import {
  LDDW_PSEUDOS, MNEMONIC_ALIASES, OPCODES, SPECS_BY_MNEMONIC,
  type Form, type LddwPseudo, type OpSpec,
} from './opcodes.js';
import {
  parseImm32, parseImm64, parseMemory, parsePseudo, parseRegister, parseTarget, shapeOf, splitLine,
  splitOperands, type Shape, type Target,
} from './asm-operands.js';

/** Stable `AsmError.code` values. */
export const ASM_ERROR_CODES = [
  'BAD_INPUT', 'UNKNOWN_MNEMONIC', 'OPERAND_COUNT', 'BAD_OPERAND', 'BAD_REGISTER', 'BAD_IMMEDIATE',
  'IMM_OUT_OF_RANGE', 'BAD_PSEUDO', 'BAD_LABEL', 'DUPLICATE_LABEL', 'UNKNOWN_LABEL',
  'JUMP_OUT_OF_RANGE', 'WRITE_R10',
] as const;
export type AsmErrorCode = (typeof ASM_ERROR_CODES)[number];

/**
 * What an operand position holds and where it goes:
 *   reg -> a register field; imm -> imm; target -> a jump offset in off or imm;
 *   mem -> `[base+off]`, base register into dst (stores) or src (loads);
 *   lddw -> 64-bit constant or pseudo load; local -> the keyword of `call local`.
 */
type Operand =
  | { kind: 'reg'; field: 'dst' | 'src' }
  | { kind: 'imm' }
  | { kind: 'target'; field: 'off' | 'imm' }
  | { kind: 'mem'; base: 'dst' | 'src' }
  | { kind: 'lddw' }
  | { kind: 'local' };

const DST: Operand = { kind: 'reg', field: 'dst' };
const SRC: Operand = { kind: 'reg', field: 'src' };
const IMM: Operand = { kind: 'imm' };

const FORM_OPERANDS: Record<Form, readonly Operand[]> = {
  dst_src: [DST, SRC],
  dst_imm: [DST, IMM],
  dst: [DST],
  jmp_reg: [DST, SRC, { kind: 'target', field: 'off' }],
  jmp_imm: [DST, IMM, { kind: 'target', field: 'off' }],
  ja_off: [{ kind: 'target', field: 'off' }],
  ja_imm: [{ kind: 'target', field: 'imm' }],
  call_helper: [IMM],
  call_local: [{ kind: 'local' }, { kind: 'target', field: 'imm' }],
  call_reg: [DST],
  none: [],
  lddw: [DST, { kind: 'lddw' }],
  load: [DST, { kind: 'mem', base: 'src' }],
  store_imm: [{ kind: 'mem', base: 'dst' }, IMM],
  store_reg: [{ kind: 'mem', base: 'dst' }, SRC],
  ld_abs: [IMM],
  ld_ind: [SRC, IMM],
};

const DESCRIBE: Record<Operand['kind'], string> = {
  reg: 'a register', imm: 'an integer', target: 'a label or +offset', mem: 'a memory operand [%rN+off]',
  lddw: 'a 64-bit integer or pseudo load like map_fd(1)', local: "the keyword 'local'",
};

function accepts(op: Operand, operand: string, shape: Shape): boolean {
  switch (op.kind) {
    case 'reg': return shape === 'reg';
    case 'imm': return shape === 'num';
    case 'target': return shape === 'num' || shape === 'word';
    case 'mem': return shape === 'mem';
    case 'lddw': return shape === 'num' || shape === 'pseudo';
    case 'local': return operand === 'local';
  }
}

/** Mnemonic prefixes that continue with another word (`lock`, `lock fetch`), from the table. */
const MULTI_WORD_PREFIXES: ReadonlySet<string> = new Set(OPCODES.flatMap((spec) => {
  const words = spec.mnemonic.split(' ');
  return words.slice(1).map((_, i) => words.slice(0, i + 1).join(' '));
}));

/** lddw rows by pseudo name (`map_fd` -> src 1 row); plain constants use the imm64 row. */
const LDDW_ROWS: ReadonlyMap<LddwPseudo, OpSpec> = new Map(
  OPCODES.flatMap((spec) => (spec.sem.kind === 'lddw' ? [[spec.sem.pseudo, spec] as const] : [])),
);
/** Pseudo loads whose second slot imm is part of the syntax (`map_value(fd, offset)`). */
const TWO_ARG_PSEUDOS: ReadonlySet<LddwPseudo> = new Set(['map_value', 'map_idx_value']);

/** A parsed instruction whose jump target may still be a label. */
interface Pending {
  spec: OpSpec;
  fields: InsnFields;
  pc: number;
  line: number;
  target?: { name: string; field: 'off' | 'imm' };
}

const S16 = { min: -(2 ** 15), max: 2 ** 15 - 1 };
const S32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function setOffset(fields: InsnFields, field: 'off' | 'imm', offset: bigint | number, line: number): void {
  const range = field === 'off' ? S16 : S32;
  if (offset < range.min || offset > range.max) {
    throw new AsmError('JUMP_OUT_OF_RANGE',
      `jump offset ${offset} does not fit the ${field === 'off' ? '16' : '32'}-bit ${field} field`, line);
  }
  fields[field] = Number(offset);
}

function resolveRow(mnemonic: string, operands: readonly string[], line: number): OpSpec {
  const name = MNEMONIC_ALIASES.get(mnemonic) ?? mnemonic;
  const rows = SPECS_BY_MNEMONIC.get(name);
  if (!rows) throw new AsmError('UNKNOWN_MNEMONIC', `unknown instruction '${mnemonic}'`, line);
  // lddw has one row per pseudo kind, all with the same operand form: pick the imm64 row now.
  const distinct = rows.filter((r, i) => rows.findIndex((o) => o.form === r.form) === i);
  const sameCount = distinct.filter((r) => FORM_OPERANDS[r.form].length === operands.length);
  if (sameCount.length === 0) {
    const counts = [...new Set(distinct.map((r) => FORM_OPERANDS[r.form].length))].join(' or ');
    throw new AsmError('OPERAND_COUNT', `${mnemonic} takes ${counts} operand(s), found ${operands.length}`, line);
  }
  const shapes = operands.map(shapeOf);
  const fit = sameCount.find((r) => FORM_OPERANDS[r.form].every((op, i) => accepts(op, operands[i], shapes[i])));
  if (fit) return fit;
  const bad = operands.findIndex((text, i) => !sameCount.some((r) => accepts(FORM_OPERANDS[r.form][i], text, shapes[i])));
  const position = bad >= 0 ? bad : 0;
  const expected = [...new Set(sameCount.map((r) => DESCRIBE[FORM_OPERANDS[r.form][position].kind]))].join(' or ');
  throw new AsmError('BAD_OPERAND',
    `operand ${position + 1} of ${mnemonic} must be ${expected}, found '${operands[position]}'`, line);
}

function applyTarget(p: Pending, target: Target, field: 'off' | 'imm'): void {
  if (target.kind === 'label') p.target = { name: target.name, field };
  else setOffset(p.fields, field, target.offset, p.line);
}

/** `lddw %r1, <operand>`: a constant, or a pseudo load that selects another lddw row. */
function applyLddw(p: Pending, text: string): void {
  if (shapeOf(text) === 'num') {
    const value = parseImm64(text, p.line);
    p.fields.imm = Number(BigInt.asIntN(32, value));
    p.fields.imm2 = Number(BigInt.asIntN(32, value >> 32n));
    return;
  }
  const { name, args } = parsePseudo(text, p.line);
  const pseudo = LDDW_PSEUDOS.find((n) => n === name && n !== 'imm64');
  if (!pseudo) {
    const names = LDDW_PSEUDOS.filter((n) => n !== 'imm64').join(', ');
    throw new AsmError('BAD_PSEUDO', `unknown lddw pseudo load '${name}' (expected one of ${names})`, p.line);
  }
  const two = TWO_ARG_PSEUDOS.has(pseudo);
  if (two ? args.length !== 2 : args.length < 1 || args.length > 2) {
    throw new AsmError('BAD_PSEUDO', `${pseudo}() takes ${two ? '2' : '1 or 2'} arguments, found ${args.length}`, p.line);
  }
  p.spec = LDDW_ROWS.get(pseudo)!;
  // func(label) holds a pc-relative code offset, like `call local`.
  if (pseudo === 'func') applyTarget(p, parseTarget(args[0], p.line), 'imm');
  else p.fields.imm = parseImm32(args[0], p.line, `${pseudo} argument`);
  if (args.length === 2) p.fields.imm2 = parseImm32(args[1], p.line, `${pseudo} argument`);
}

function parseInstruction(mnemonic: string, operandText: string, pc: number, line: number): Pending {
  let operands = splitOperands(operandText, line);
  // `call local func1`: the keyword and the target are separated by a space, not a comma.
  const keyword = /^local\s+(\S.*)$/s.exec(operands[0] ?? '');
  if (keyword) operands = ['local', keyword[1], ...operands.slice(1)];
  const spec = resolveRow(mnemonic, operands, line);
  const p: Pending = { spec, fields: {}, pc, line };
  FORM_OPERANDS[spec.form].forEach((op, i) => {
    const text = operands[i];
    switch (op.kind) {
      case 'reg': p.fields[op.field] = parseRegister(text, line); break;
      case 'imm': p.fields.imm = parseImm32(text, line); break;
      case 'target': applyTarget(p, parseTarget(text, line), op.field); break;
      case 'mem': {
        const { reg, off } = parseMemory(text, line);
        p.fields[op.base] = reg;
        p.fields.off = off;
        break;
      }
      case 'lddw': applyLddw(p, text); break;
      case 'local': break;
    }
  });
  if (p.spec.writes !== undefined && p.fields[p.spec.writes] === FP) {
    throw new AsmError('WRITE_R10', `${mnemonic} writes %r10, the read-only frame pointer`, line);
  }
  return p;
}

/**
 * Assemble program text into instructions (pc = slot index; lddw spans two slots).
 * Throws `AsmError` with a stable `code` and the 1-based source line.
 */
export function assemble(text: string): Insn[] {
  if (typeof text !== 'string') throw new AsmError('BAD_INPUT', 'assembler input must be a string', 0);
  const pending: Pending[] = [];
  const labels = new Map<string, number>();
  let pc = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const source = splitLine(raw, line, MULTI_WORD_PREFIXES);
    for (const name of source.labels) {
      if (labels.has(name)) throw new AsmError('DUPLICATE_LABEL', `label '${name}' is defined twice`, line);
      labels.set(name, pc);
    }
    if (source.mnemonic === undefined) return;
    const p = parseInstruction(source.mnemonic, source.operands, pc, line);
    pending.push(p);
    pc += p.spec.slots;
  });
  // The upstream assemblers treat `exit` as a label for the first exit instruction.
  const firstExit = pending.find((p) => p.spec.sem.kind === 'exit');
  if (firstExit && !labels.has('exit')) labels.set('exit', firstExit.pc);

  return pending.map((p) => {
    if (p.target) {
      const target = labels.get(p.target.name);
      if (target === undefined) throw new AsmError('UNKNOWN_LABEL', `label '${p.target.name}' is not defined`, p.line);
      setOffset(p.fields, p.target.field, target - (p.pc + 1), p.line);
    }
    return makeInsn(p.spec, p.fields, p.pc);
  });
}

/** Assemble program text straight to little-endian bytecode. */
export function assembleBytes(text: string): Uint8Array {
  return encode(assemble(text));
}
