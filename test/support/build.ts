/**
 * A tiny instruction builder for tests: `I('add', { dst: 1, imm: 5 })` picks the row of
 * the opcode table whose operand form uses exactly the given fields (a row's `match`
 * field must agree when it is given), and `prog(...)` numbers the slots.
 */
import { makeInsn, type Insn, type InsnFields } from '../../src/decode/insn.js';
import { SPECS_BY_MNEMONIC, type Field, type Form, type OpSpec } from '../../src/decode/opcodes.js';

export interface Draft {
  readonly spec: OpSpec;
  readonly fields: InsnFields;
}

const OPERAND_FIELDS: readonly Field[] = ['dst', 'src', 'off', 'imm'];

export function I(mnemonic: string, fields: InsnFields = {}, form?: Form): Draft {
  const rows = SPECS_BY_MNEMONIC.get(mnemonic);
  if (!rows) throw new Error(`no mnemonic ${mnemonic}`);
  const given = OPERAND_FIELDS.filter((f) => fields[f] !== undefined);
  const fits = rows.filter((spec) =>
    (form === undefined || spec.form === form)
    && given.every((f) => spec.uses.has(f))
    && (spec.match === undefined || fields[spec.match.field] === undefined || fields[spec.match.field] === spec.match.value)
    // Prefer the reg form when src is given and the imm form otherwise.
    && (spec.uses.has('src') && spec.match?.field !== 'src' ? given.includes('src') : true));
  if (fits.length === 0) throw new Error(`no ${mnemonic} row takes ${given.join(', ')}`);
  return { spec: fits[0], fields };
}

/** Number the instructions' slots (lddw takes two). */
export function prog(...drafts: Draft[]): Insn[] {
  let pc = 0;
  return drafts.map((d) => {
    const insn = makeInsn(d.spec, d.fields, pc);
    pc += d.spec.slots;
    return insn;
  });
}

/** `lddw dst, value` with a 64-bit constant. */
export function lddw(dst: number, value: bigint): Draft {
  const v = BigInt.asUintN(64, value);
  return I('lddw', { dst, imm: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) });
}

export const exit = (): Draft => I('exit');
/** `mov dst, imm` (64-bit, imm sign-extended). */
export const movi = (dst: number, imm: number): Draft => I('mov', { dst, imm });
export const movr = (dst: number, src: number): Draft => I('mov', { dst, src });

/** Little-endian bytes of 64-bit values, for `mem` contents. */
export function u64le(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true));
  return out;
}

/** Test-table rows prefixed with a readable name (bigints in hex), for `it.each(...)('%s', ...)`. */
export function named<T extends readonly unknown[]>(rows: readonly T[]): [string, ...T][] {
  const show = (v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v));
  return rows.map((row) => [row.map(show).join(' '), ...row] as [string, ...T]);
}
