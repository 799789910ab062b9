import binaryen from './binaryen.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { ERRNO } from '../abi/kernel-ids.js';
import { MAX_LOOPS } from '../abi/limits.js';
import { CODE_POINTER_TAG, STACK_FRAME_SIZE, type Layout } from '../abi/layout.js';
import { i64Const, NAMES, TRAP, type Expr } from './context.js';

/**
 * $bpf_loop (pc i32, r0..r9 i64, r10 i64) -> i64: bpf_loop(nr_loops = r1, callback = r2,
 * ctx = r3, flags = r4), generated per module because the callback is one of the
 * module's functions. Same rules as the interpreter (loop-semantics.ts):
 *   flags != 0 -> -EINVAL; low32(nr_loops) > 2^23 -> -E2BIG; 0 loops -> 0
 *   for each function K:
 *     (if (i64.eq $r2 <TAG|entry K>) (then <depth check>
 *       (loop $again
 *         <charge the budget the callback's length; trap BUDGET_EXHAUSTED below 0>
 *         (local.set $ret (call $fK <r0 on the first call, else 0> (i64.extend_i32_u $i) $r3
 *                                   $r3..$r9 (i64.sub $r10 512)))
 *         (if (i64.ne $ret 0) (then (return (i64.extend_i32_u (i32.add $i 1)))))
 *         (br_if $again (i32.lt_u (local.tee $i (i32.add $i 1)) $n)))
 *       (return (i64.extend_i32_u $n))))
 *   (call $trap BAD_CALL_TARGET pc) (unreachable)
 * The callee sees r1 = index, r2 = ctx and the caller's other registers, r0 the
 * previous callback's result (0), just as the interpreter's frames give it.
 * Every iteration charges the instruction budget (the callback's length, at least 1):
 * a callback without loops charges nothing itself, and nested bpf_loops would
 * otherwise run 2^23 x 2^23 calls. The caller stored its fuel in $budget around the call.
 */
export function addBpfLoop(m: binaryen.Module, layout: Layout, entries: readonly number[], lengths: readonly number[]): void {
  const { i32, i64 } = binaryen;
  const pc = () => m.local.get(0, i32);
  const reg = (r: number) => m.local.get(1 + r, i64);
  const n = 1 + REG_COUNT;
  const i = n + 1;
  const ret = n + 2;
  const c64 = (v: bigint | number) => i64Const(m, v);
  const trap = (code: number) => m.block(null, [m.call(NAMES.trap, [m.i32.const(code), pc()], binaryen.none), m.unreachable()]);
  const calleeFp = () => m.i64.sub(reg(FP), c64(STACK_FRAME_SIZE));
  const index = () => m.i64.extend_u(m.local.get(i, i32));

  const body: Expr[] = [
    m.if(m.i64.ne(reg(4), c64(0)), m.return(c64(-ERRNO.EINVAL))),
    m.local.set(n, m.i32.wrap(reg(1))),
    m.if(m.i32.gt_u(m.local.get(n, i32), m.i32.const(MAX_LOOPS)), m.return(c64(-ERRNO.E2BIG))),
    m.if(m.i32.eqz(m.local.get(n, i32)), m.return(c64(0))),
  ];
  entries.forEach((entry, k) => {
    const args = [
      m.select(m.i32.eqz(m.local.get(i, i32)), reg(0), c64(0)),
      index(),
      reg(3),
      ...[3, 4, 5, 6, 7, 8, 9].map(reg),
      calleeFp(),
    ];
    const label = `again${k}`;
    body.push(m.if(m.i64.eq(reg(2), c64(CODE_POINTER_TAG | BigInt(entry))), m.block(null, [
      m.if(m.i64.lt_u(calleeFp(), c64(layout.stackBase + STACK_FRAME_SIZE)), trap(TRAP.CALL_DEPTH_EXCEEDED)),
      m.loop(label, m.block(null, [
        m.global.set(NAMES.budget, m.i64.sub(m.global.get(NAMES.budget, i64), c64(Math.max(1, lengths[k])))),
        m.if(m.i64.lt_s(m.global.get(NAMES.budget, i64), c64(0)), trap(TRAP.BUDGET_EXHAUSTED)),
        m.local.set(ret, m.call(NAMES.func(k), args, i64)),
        m.if(m.i64.ne(m.local.get(ret, i64), c64(0)), m.return(m.i64.extend_u(m.i32.add(m.local.get(i, i32), m.i32.const(1))))),
        m.br(label, m.i32.lt_u(m.local.tee(i, m.i32.add(m.local.get(i, i32), m.i32.const(1)), i32), m.local.get(n, i32))),
      ])),
      m.return(m.i64.extend_u(m.local.get(n, i32))),
    ])));
  });
  body.push(trap(TRAP.BAD_CALL_TARGET));
  const params = binaryen.createType([i32, ...new Array(REG_COUNT).fill(i64)]);
  m.addFunction(NAMES.bpfLoop, params, i64, [i32, i32, i64], m.block(null, body));
}
