import type binaryen from 'binaryen';
import { i64Const, type Expr } from './context.js';

/**
 * Byte swaps (Wasm has no bswap instruction). `x` is evaluated more than once, so
 * pass a side-effect-free expression (a local.get or a wrap of one).
 */

/** 16-bit swap of the low half of an i32, result zero-extended:
 *  (i32.or (i32.shl (i32.and x 0xff) 8) (i32.and (i32.shr_u x 8) 0xff)) */
export function bswap16(m: binaryen.Module, x: () => Expr): Expr {
  return m.i32.or(
    m.i32.shl(m.i32.and(x(), m.i32.const(0xff)), m.i32.const(8)),
    m.i32.and(m.i32.shr_u(x(), m.i32.const(8)), m.i32.const(0xff)),
  );
}

/** 32-bit swap: (i32.or (i32.rotl (i32.and x 0xff00ff00) 8) (i32.rotr (i32.and x 0x00ff00ff) 8)) */
export function bswap32(m: binaryen.Module, x: () => Expr): Expr {
  return m.i32.or(
    m.i32.rotl(m.i32.and(x(), m.i32.const(0xff00ff00 | 0)), m.i32.const(8)),
    m.i32.rotr(m.i32.and(x(), m.i32.const(0x00ff00ff)), m.i32.const(8)),
  );
}

/** 64-bit swap: the two 32-bit halves swapped individually and exchanged. */
export function bswap64(m: binaryen.Module, x: () => Expr): Expr {
  const low = () => m.i32.wrap(x());
  const high = () => m.i32.wrap(m.i64.shr_u(x(), i64Const(m, 32)));
  return m.i64.or(
    m.i64.shl(m.i64.extend_u(bswap32(m, low)), i64Const(m, 32)),
    m.i64.extend_u(bswap32(m, high)),
  );
}
