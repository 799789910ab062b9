import { RuntimeTrap } from '../errors.js';
import { ERRNO, negErrno } from '../abi/kernel-ids.js';
import { MAX_LOOPS } from '../abi/limits.js';
import { codePointerPc } from '../abi/layout.js';
import type { Machine } from './machine.js';
import type { Op } from './op.js';

/**
 * bpf_loop in the interpreter. The callback is a function of the program, so the loop
 * cannot be a JS helper calling back into the run loop; instead it is two ops:
 *
 *   the call site  checks flags / nr_loops, pushes the loop's state, and enters the
 *                  callback like a local call whose return pc is the continuation;
 *   the continuation (an extra op after the program's slots) runs when the callback
 *                  exits: it stops on a non-zero r0 (r0 = calls made) or after the last
 *                  index (r0 = nr_loops), else enters the callback again for index + 1.
 *
 * The callback sees r1 = index, r2 = ctx and the caller's other registers, as a local
 * call does; its frame is one deeper than the caller's (the depth limit applies).
 */
export function compileLoopCall(m: Machine, entries: ReadonlySet<number>, pc: number, next: number, continuation: number): Op {
  const u64 = m.regs.u64;
  return () => {
    if (u64[4] !== 0n) { u64[0] = negErrno(ERRNO.EINVAL); return next; }
    const count = Number(u64[1] & 0xffff_ffffn);
    if (count > MAX_LOOPS) { u64[0] = negErrno(ERRNO.E2BIG); return next; }
    if (count === 0) { u64[0] = 0n; return next; }
    const callback = codePointerPc(u64[2]);
    if (callback === undefined || !entries.has(callback)) {
      throw new RuntimeTrap('BAD_CALL_TARGET', `bpf_loop callback 0x${u64[2].toString(16)} is not a function of the program`, pc);
    }
    const ctx = u64[3];
    m.loops.push(count, callback, ctx, next, pc);
    m.enterFrame(continuation, pc);
    u64[1] = 0n;
    u64[2] = ctx;
    return callback;
  };
}

export function compileLoopContinuation(m: Machine, continuation: number): Op {
  const u64 = m.regs.u64;
  const loops = m.loops;
  return () => {
    const top = loops.depth - 1;
    const index = loops.index[top];
    const after = loops.after[top];
    if (u64[0] !== 0n) {
      loops.depth--;
      u64[0] = BigInt(index + 1);
      return after;
    }
    if (index + 1 >= loops.count[top]) {
      loops.depth--;
      u64[0] = BigInt(loops.count[top]);
      return after;
    }
    loops.index[top] = index + 1;
    m.enterFrame(continuation, loops.callPc[top]);
    u64[1] = BigInt(index + 1);
    u64[2] = loops.ctx[top];
    return loops.callback[top];
  };
}
