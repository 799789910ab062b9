import type binaryen from 'binaryen';
import type { Insn } from '../decode/insn.js';
import type { AluOp, Semantics } from '../decode/opcodes.js';
import { bswap16, bswap32, bswap64 } from './bits.js';
import type { Expr, FunctionContext } from './context.js';

type AluSem = Extract<Semantics, { kind: 'alu' }>;
type EndianSem = Extract<Semantics, { kind: 'endian' }>;
type Ops = binaryen.Module['i64'] | binaryen.Module['i32'];

/** Operations that map straight onto one Wasm instruction (Wasm masks shift counts exactly as eBPF does). */
const DIRECT: Partial<Record<AluOp, (ops: Ops, a: Expr, b: Expr) => Expr>> = {
  add: (o, a, b) => o.add(a, b),
  sub: (o, a, b) => o.sub(a, b),
  mul: (o, a, b) => o.mul(a, b),
  or: (o, a, b) => o.or(a, b),
  and: (o, a, b) => o.and(a, b),
  xor: (o, a, b) => o.xor(a, b),
  lsh: (o, a, b) => o.shl(a, b),
  rsh: (o, a, b) => o.shr_u(a, b),
  arsh: (o, a, b) => o.shr_s(a, b),
};

/**
 * Division and modulo, guarded: Wasm traps where eBPF defines a result.
 *   div x/0 = 0, mod x%0 = x, sdiv INT_MIN/-1 = INT_MIN (= -x), smod x%-1 = 0.
 * Register divisor (t in a temp local):
 *   (if (result i64) (i64.eqz t) (then <by-zero>) (else (i64.div_u a t)))
 * sdiv additionally tests t == -1 and yields (i64.sub 0 a); Wasm's rem_s already
 * returns 0 for INT_MIN % -1, so smod only needs the zero test.
 */
function divMod(c: FunctionContext, ops: Ops, op: AluOp, a: () => Expr, divisor: Expr, constDivisor: bigint | undefined, width: 32 | 64): Expr {
  const wide = width === 64;
  const zero = wide ? c.i64(0) : c.i32(0);
  const byZero = op === 'div' || op === 'sdiv' ? zero : a();
  const normal = (d: Expr): Expr => {
    switch (op) {
      case 'div': return ops.div_u(a(), d);
      case 'mod': return ops.rem_u(a(), d);
      case 'smod': return ops.rem_s(a(), d);
      default: return ops.div_s(a(), d);
    }
  };
  if (constDivisor !== undefined) {
    if (constDivisor === 0n) return byZero;
    if (op === 'sdiv' && constDivisor === -1n) return ops.sub(zero, a());
    return normal(divisor);
  }
  const t = c.temp(wide ? 'i64' : 'i32');
  let nonZero = normal(t.get());
  if (op === 'sdiv') nonZero = c.m.if(ops.eq(t.get(), wide ? c.i64(-1) : c.i32(-1)), ops.sub(zero, a()), nonZero);
  return c.m.block(null, [t.set(divisor), c.m.if(ops.eqz(t.get()), byZero, nonZero)], t.type);
}

/** ALU and ALU64 instructions. 32-bit forms compute in i32 and zero-extend via setReg32. */
export function emitAlu(c: FunctionContext, insn: Insn, sem: AluSem): Expr {
  const m = c.m;
  const { dst } = insn;
  const wide = sem.width === 64;
  const ops: Ops = wide ? m.i64 : m.i32;
  const a = () => (wide ? c.reg(dst) : c.reg32(dst));
  const set = (v: Expr) => (wide ? c.setReg(dst, v) : c.setReg32(dst, v));
  // 64-bit forms sign-extend imm; 32-bit forms use it as is (its bits are the operand).
  const b = (): Expr => (sem.source === 'reg' ? (wide ? c.reg(insn.src) : c.reg32(insn.src)) : wide ? c.i64(insn.imm) : c.i32(insn.imm));

  switch (sem.op) {
    case 'mov':
      return set(b());
    case 'movsx': {
      const s = c.reg(insn.src);
      if (wide) return c.setReg(dst, sem.extFrom === 8 ? m.i64.extend8_s(s) : sem.extFrom === 16 ? m.i64.extend16_s(s) : m.i64.extend32_s(s));
      const s32 = c.reg32(insn.src);
      return c.setReg32(dst, sem.extFrom === 8 ? m.i32.extend8_s(s32) : m.i32.extend16_s(s32));
    }
    case 'neg':
      return set(ops.sub(wide ? c.i64(0) : c.i32(0), a()));
    case 'div': case 'mod': case 'sdiv': case 'smod': {
      // b() gives the imm's bits: sign-extended for 64-bit, as is for 32-bit; unsigned
      // ops then read them as unsigned. Only 0 and -1 need the constant's value.
      const constDivisor = sem.source === 'imm' ? BigInt(insn.imm) : undefined;
      return set(divMod(c, ops, sem.op, a, b(), constDivisor, sem.width));
    }
    default: {
      const direct = DIRECT[sem.op];
      if (!direct) throw new Error(`no ALU emitter for ${sem.op}`);
      return set(direct(ops, a(), b()));
    }
  }
}

/** le/be/bswap. On our little-endian model `le` only truncates; `be` and `bswap` swap. */
export function emitEndian(c: FunctionContext, insn: Insn, sem: EndianSem): Expr {
  const m = c.m;
  const { dst } = insn;
  if (sem.order === 'le') {
    if (sem.bits === 64) return m.nop();
    return c.setReg(dst, m.i64.and(c.reg(dst), c.i64(sem.bits === 16 ? 0xffff : 0xffff_ffff)));
  }
  if (sem.bits === 16) return c.setReg32(dst, bswap16(m, () => c.reg32(dst)));
  if (sem.bits === 32) return c.setReg32(dst, bswap32(m, () => c.reg32(dst)));
  return c.setReg(dst, bswap64(m, () => c.reg(dst)));
}
