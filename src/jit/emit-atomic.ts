import type { Insn } from '../decode/insn.js';
import type { Semantics } from '../decode/opcodes.js';
import type { Expr, FunctionContext } from './context.js';
import { checkedAddress, load64, store64 } from './emit-mem.js';

type AtomicSem = Extract<Semantics, { kind: 'atomic' }>;

/**
 * Atomics as plain read-modify-write: a program runs on one thread, and Wasm's own
 * atomics would trap on misaligned addresses where eBPF (unverified) does not.
 *   (local.set $a <addr>) (local.set $old (i64.load32_u $a))
 *   add/or/and/xor: (i64.store32 $a (i64.add $old $src)); FETCH then sets $src = $old
 *   xchg:           (i64.store32 $a $src) (local.set $src $old)
 *   cmpxchg:        (if (i64.eq $old (zext32 $r0)) (i64.store32 $a $src)) (local.set $r0 $old)
 * The 32-bit forms load zero-extended, so $old is already the zero-extended result.
 */
export function emitAtomic(c: FunctionContext, insn: Insn, sem: AtomicSem): Expr {
  const m = c.m;
  const a = c.temp('i32');
  const old = c.temp('i64');
  const src = () => c.reg(insn.src);
  const store = (value: Expr) => store64(c, sem.size, a.get(), value);
  const body: Expr[] = [
    a.set(checkedAddress(c, insn.dst, insn.off, sem.size, insn.pc, true)),
    old.set(load64(c, sem.size, false, a.get())),
  ];
  switch (sem.op) {
    case 'add': body.push(store(m.i64.add(old.get(), src()))); break;
    case 'or': body.push(store(m.i64.or(old.get(), src()))); break;
    case 'and': body.push(store(m.i64.and(old.get(), src()))); break;
    case 'xor': body.push(store(m.i64.xor(old.get(), src()))); break;
    case 'xchg': body.push(store(src())); break;
    case 'cmpxchg': {
      const expected = sem.size === 4 ? m.i64.extend_u(c.reg32(0)) : c.reg(0);
      body.push(m.if(m.i64.eq(old.get(), expected), store(src())), c.setReg(0, old.get()));
      return m.block(null, body);
    }
  }
  if (sem.fetch) body.push(c.setReg(insn.src, old.get()));
  return m.block(null, body);
}
