import type { Insn } from '../decode/insn.js';
import type { AluOp, Semantics } from '../decode/opcodes.js';
import type { VerifierEnv } from './env.js';
import { constReg, immediateReg, isPacketPointer, kindName, scalarReg, UNKNOWN_SCALAR, type Reg } from './registers.js';
import { constant, constantOf, s64, S64_MIN, sync, UNKNOWN, type Scalar } from './scalar.js';
import { lowHalf, scalarAlu, signExtend } from './scalar-alu.js';
import { aluRelations } from './scalar-relations.js';
import { sumBound } from './input-length.js';
import type { Frame } from './state.js';

type AluSem = Extract<Semantics, { kind: 'alu' }>;
type EndianSem = Extract<Semantics, { kind: 'endian' }>;

/** Bounds beyond which pointer arithmetic is refused (the kernel's BPF_MAX_VAR_OFF, 1 << 29). */
const MAX_VAR_OFF = 1 << 29;

/** A register that must have been written ("R2 !read_ok"), in strict mode. */
export function readReg(env: VerifierEnv, frame: Frame, r: number, pc: number): Reg {
  const reg = frame.regs[r];
  if (reg.kind !== 'not_init') return reg;
  // Checked mode: the engines give every register a value (0 at the start), so any number may be read.
  if (env.checked) return UNKNOWN_SCALAR;
  env.fail('UNINIT_REGISTER', `R${r} !read_ok`, pc);
}

/**
 * An ALU instruction (the kernel's check_alu_op and adjust_*_min_max_vals): scalars get
 * their new bounds; pointers allow only 64-bit add and sub with a scalar (and packet minus
 * packet), as the kernel does for a privileged loader.
 */
export function checkAlu(env: VerifierEnv, frame: Frame, insn: Insn, sem: AluSem, lenMin = 0): void {
  const pc = insn.pc;
  const source = sem.source === 'reg' ? readReg(env, frame, insn.src, pc) : immediateReg(insn.imm);
  if (sem.source === 'imm') checkImmediate(env, sem, insn.imm, pc);
  if (sem.op === 'mov' || sem.op === 'movsx') {
    frame.regs[insn.dst] = move(env, insn, sem, source);
    return;
  }
  const dst = readReg(env, frame, insn.dst, pc);
  // A root loader may negate a pointer: the result is a number (the kernel's allow_ptr_leaks).
  if (sem.op === 'neg' && dst.kind !== 'scalar') {
    frame.regs[insn.dst] = UNKNOWN_SCALAR;
    return;
  }
  if (dst.kind === 'scalar' && source.kind === 'scalar') {
    const result = aluRelations(sem.op, sem.width, dst, source, scalarAlu(sem.op, sem.width, dst.var, source.var), lenMin);
    frame.regs[insn.dst] = { ...UNKNOWN_SCALAR, var: result.var, id: result.id, off: result.off, lenBound: result.lenBound, above: result.above };
    return;
  }
  frame.regs[insn.dst] = pointerAlu(env, insn, sem, dst, source, lenMin);
}

/** Division by an immediate 0 and shifts by an immediate beyond the width, refused when loading (the kernel's check_alu_op). */
function checkImmediate(env: VerifierEnv, sem: AluSem, imm: number, pc: number): void {
  if ((sem.op === 'div' || sem.op === 'mod' || sem.op === 'sdiv' || sem.op === 'smod') && imm === 0) env.fail('DIV_BY_ZERO', 'div by zero', pc);
  if ((sem.op === 'lsh' || sem.op === 'rsh' || sem.op === 'arsh') && (imm < 0 || imm >= sem.width)) env.fail('INVALID_SHIFT', `invalid shift ${imm}`, pc);
}

function move(env: VerifierEnv, insn: Insn, sem: AluSem, source: Reg): Reg {
  if (sem.op === 'movsx') {
    // A root loader may sign-extend part of a pointer: a number.
    return scalarReg(source.kind === 'scalar' ? signExtend(source.var, sem.extFrom!, sem.width) : UNKNOWN);
  }
  if (sem.width === 64) return source;
  // mov32 of a pointer gives a number: its low half (what the kernel marks unknown).
  return scalarReg(source.kind === 'scalar' ? lowHalf(source.var) : lowHalf(UNKNOWN));
}

const OPERATOR: Partial<Record<AluOp, string>> = { and: '&=', or: '|=', xor: '^=', lsh: '<<=', rsh: '>>=', arsh: 's>>=', mul: '*=', div: '/=', mod: '%=', sdiv: 's/=', smod: 's%=', neg: 'neg' };

function pointerOpRefused(env: VerifierEnv, r: number, op: AluOp, reg: Reg, pc: number): never {
  if (op === 'and' || op === 'or' || op === 'xor') env.fail('POINTER_ARITHMETIC', `R${r} bitwise operator ${OPERATOR[op]} on pointer prohibited`, pc);
  env.fail('POINTER_ARITHMETIC', `R${r} pointer arithmetic with ${OPERATOR[op] ?? op} operator prohibited (${kindName(reg)})`, pc);
}

/** The kinds whose pointers may move (the kernel refuses arithmetic on the others). */
function checkMovable(env: VerifierEnv, r: number, reg: Reg, pc: number): void {
  if (reg.orNull) env.fail('POINTER_ARITHMETIC', `R${r} pointer arithmetic on ${kindName(reg)} prohibited, null-check it first`, pc);
  if (reg.kind === 'map_ptr' || reg.kind === 'packet_end' || reg.kind === 'sock' || reg.kind === 'func') {
    env.fail('POINTER_ARITHMETIC', `R${r} pointer arithmetic on ${kindName(reg)} prohibited`, pc);
  }
}

/** pointer +/- scalar, scalar + pointer, packet - packet (the kernel's adjust_ptr_min_max_vals). */
function pointerAlu(env: VerifierEnv, insn: Insn, sem: AluSem, dst: Reg, source: Reg, lenMin: number): Reg {
  const pc = insn.pc;
  if (sem.width === 32) env.fail('POINTER_ARITHMETIC', `R${insn.dst} 32-bit pointer arithmetic prohibited`, pc);
  if (dst.kind !== 'scalar' && source.kind !== 'scalar') {
    // A root loader may subtract any two pointers: a number (the kernel's allow_ptr_leaks).
    if (sem.op === 'sub') return UNKNOWN_SCALAR;
    if (sem.op === 'add') env.fail('POINTER_ARITHMETIC', `R${insn.dst} pointer += pointer prohibited`, pc);
    pointerOpRefused(env, insn.dst, sem.op, dst, pc);
  }
  const [pointer, scalar, pointerReg] = dst.kind === 'scalar' ? [source, dst, insn.src] : [dst, source, insn.dst];
  if (sem.op !== 'add' && !(sem.op === 'sub' && dst.kind !== 'scalar')) {
    if (dst.kind === 'scalar') env.fail('POINTER_ARITHMETIC', `R${insn.dst} tried to ${sem.op} from a scalar and a pointer`, pc);
    pointerOpRefused(env, insn.dst, sem.op, dst, pc);
  }
  checkMovable(env, pointerReg, pointer, pc);
  if (sem.op === 'sub' && pointer.kind === 'stack') env.fail('POINTER_ARITHMETIC', `R${insn.dst} subtraction from stack pointer prohibited`, pc);
  checkSaneOffset(env, { var: scalar.var, off: 0 }, pointer, pc);
  const delta = sem.op === 'sub' ? negate(scalar.var) : scalar.var;
  const moved = movePointer(env, pointer, delta, sem.op === 'add' ? scalar : undefined, lenMin);
  checkSaneOffset(env, moved, pointer, pc);
  return moved;
}

/**
 * The kernel's check_reg_sane_offset, on the scalar added to a pointer and on the
 * pointer after: a known value, the fixed offset and the minimum must stay within
 * 2^29 either way, and the minimum must be bounded at all.
 */
function checkSaneOffset(env: VerifierEnv, reg: { readonly var: Scalar; readonly off: number }, pointer: Reg, pc: number): void {
  const type = kindName(pointer);
  const k = constantOf(reg.var);
  if (k !== undefined && (s64(k) >= BigInt(MAX_VAR_OFF) || s64(k) <= -BigInt(MAX_VAR_OFF))) {
    env.fail('POINTER_ARITHMETIC', `math between ${type} pointer and ${s64(k)} is not allowed`, pc);
  }
  if (reg.off >= MAX_VAR_OFF || reg.off <= -MAX_VAR_OFF) env.fail('POINTER_ARITHMETIC', `${type} pointer offset ${reg.off} is not allowed`, pc);
  if (reg.var.smin === S64_MIN) {
    env.fail('UNBOUNDED_POINTER', `math between ${type} pointer and register with unbounded min value is not allowed`, pc);
  }
  if (reg.var.smin >= BigInt(MAX_VAR_OFF) || reg.var.smin <= -BigInt(MAX_VAR_OFF)) {
    env.fail('POINTER_ARITHMETIC', `value ${reg.var.smin} makes ${type} pointer be out of bounds`, pc);
  }
}

function negate(s: Scalar): Scalar {
  return scalarAlu('sub', 64, constant(0n), s);
}

/** A pointer moved by `delta`: a known delta moves `off`, anything else the variable part. */
function movePointer(env: VerifierEnv, pointer: Reg, delta: Scalar, added: Reg | undefined, lenMin: number): Reg {
  const k = constantOf(delta);
  if (k !== undefined) return { ...pointer, off: pointer.off + Number(s64(k)) };
  const moved = scalarAlu('add', 64, pointer.var, delta);
  // A packet pointer with a new variable part must be checked against data_end again.
  const fresh = isPacketPointer(pointer) ? { id: env.newId(), range: 0 } : {};
  return { ...pointer, var: sync(moved), ...fresh, lenBound: movedBound(pointer, delta, added, lenMin) };
}

/**
 * An input pointer's variable part after adding a scalar: the sum of both bounds relative
 * to the input's length, while one of them has such a bound (a subtraction loses it).
 */
function movedBound(pointer: Reg, delta: Scalar, added: Reg | undefined, lenMin: number): Reg['lenBound'] {
  if (pointer.kind !== 'input' || delta.smin < 0n) return undefined;
  return sumBound(pointer, added ?? { var: delta }, lenMin);
}

/** be16/le32/bswap64...: a scalar's bytes swapped or truncated; the result is unknown beyond its width. */
export function checkEndian(env: VerifierEnv, frame: Frame, insn: Insn, sem: EndianSem): void {
  const reg = readReg(env, frame, insn.dst, insn.pc);
  // A root loader may byte-swap a pointer: a number.
  if (reg.kind !== 'scalar') {
    frame.regs[insn.dst] = UNKNOWN_SCALAR;
    return;
  }
  const bits = BigInt(sem.bits);
  const k = constantOf(reg.var);
  if (k !== undefined) {
    frame.regs[insn.dst] = constReg(swapped(k, sem.bits, sem.order));
    return;
  }
  const truncating = sem.order === 'le';
  frame.regs[insn.dst] = scalarReg(sem.bits === 64 && !truncating ? UNKNOWN : sync({ ...UNKNOWN, umin: 0n, umax: (1n << bits) - 1n }));
}

/** The value after a byte swap (be16...: swap on this little-endian host; le16...: truncate). */
function swapped(value: bigint, bits: 16 | 32 | 64, order: 'le' | 'be' | 'swap'): bigint {
  const width = BigInt(bits);
  const low = value & ((1n << width) - 1n);
  if (order === 'le') return low;
  let out = 0n;
  for (let i = 0n; i < width; i += 8n) out = (out << 8n) | ((low >> i) & 0xffn);
  return out;
}
