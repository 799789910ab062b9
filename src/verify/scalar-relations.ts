import type { AluOp } from '../decode/opcodes.js';
import {
  boundOf, cappedBy, divideBound, offsetBound, scaleBound, sumBound, tighter, type LenBound,
} from './input-length.js';
import type { Reg } from './registers.js';
import { constant, constantOf, type Scalar } from './scalar.js';

/**
 * What an ALU result keeps of its operands' relations, besides its bounds
 * (scalar-alu.ts): the link to the registers it was copied from, moved by a constant
 * added or subtracted (the kernel's linked scalars, BPF_ADD_CONST), and its bound
 * relative to the input's length (input-length.ts). 64-bit operations only: a 32-bit
 * result is a new number.
 */
export function aluRelations(
  op: AluOp, width: 32 | 64, dst: Reg, src: Reg, value: Scalar, lenMin: number,
): Pick<Reg, 'id' | 'off' | 'lenBound' | 'above'> & { var: Scalar } {
  const k = constantOf(src.var);
  let id = 0;
  let off = 0;
  if (width === 64 && dst.id !== 0 && k !== undefined && (op === 'add' || op === 'sub')) {
    const moved = dst.off + (op === 'add' ? 1 : -1) * Number(BigInt.asIntN(64, k));
    if (Math.abs(moved) < 2 ** 30) [id, off] = [dst.id, moved];
  }
  const lenBound = width === 64 ? resultBound(op, dst, src, k, lenMin) : undefined;
  // The bound caps the concrete maximum too (it may be tighter than the ALU's own).
  return { id, off, lenBound, var: cappedBy(value, lenBound), above: id === 0 && width === 64 ? grownFrom(op, dst, src) : undefined };
}

function resultBound(op: AluOp, dst: Reg, src: Reg, k: bigint | undefined, lenMin: number): LenBound | undefined {
  // Only worth carrying while some operand depends on the length.
  if (dst.lenBound === undefined && src.lenBound === undefined) return undefined;
  const a = boundOf(dst);
  const b = boundOf(src);
  // Adding a negative constant is subtracting (clang writes i-- and len - 10 that way).
  const subtrahend = (op === 'add' && k !== undefined && BigInt.asIntN(64, k) < 0n) ? constant(-BigInt.asIntN(64, k)) : op === 'sub' ? src.var : undefined;
  switch (subtrahend === undefined ? op : 'sub') {
    case 'add': return sumBound(dst, src, lenMin);
    // No wrap below zero: dst is at least what is taken off, so dst - src <= bound(dst) - min(src).
    case 'sub': return a && dst.var.umin >= subtrahend!.umax ? offsetBound(a, -Number(subtrahend!.umin)) : undefined;
    case 'mul': return a && k !== undefined && k < 1n << 20n ? scaleBound(a, Number(k)) : undefined;
    case 'lsh': return a && k !== undefined && k < 20n ? scaleBound(a, 2 ** Number(k)) : undefined;
    case 'div': return a && k !== undefined && k >= 1n && k < 1n << 52n ? divideBound(a, Number(k)) : undefined;
    case 'rsh': return a && k !== undefined && k < 64n ? divideBound(a, 2 ** Number(k)) : undefined;
    // Never more than either operand (unsigned).
    case 'and': return tighter(a, b, lenMin);
    case 'mod': return a;
    default: return undefined;
  }
}

/** Values this far from 2^64 cannot wrap when added or multiplied once more. */
const NO_WRAP = 1n << 62n;

/**
 * What dst op= src is at least: dst itself when it can only grow (adding a non-negative
 * number, multiplying by at least 1 or by itself, without wrapping), so the result stays above dst's
 * link (or above what dst was above).
 */
function grownFrom(op: AluOp, dst: Reg, src: Reg): Reg['above'] {
  const at = dst.id !== 0 ? { id: dst.id, off: dst.off } : dst.above;
  if (at === undefined || dst.var.smin < 0n || src.var.smin < 0n || dst.var.umax >= NO_WRAP || src.var.umax >= NO_WRAP) return undefined;
  if (op === 'add') return at;
  // x * y >= x for y >= 1, and x * x >= x for every x >= 0.
  const squaring = src.id !== 0 && src.id === dst.id && src.off === dst.off;
  if (op === 'mul' && (src.var.umin >= 1n || squaring) && dst.var.umax * src.var.umax < NO_WRAP) return at;
  return undefined;
}
