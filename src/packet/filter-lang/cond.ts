import { OP, type CbpfEmitter, type Label } from './emit.js';

/**
 * A condition as code: emits itself, going to `t` when it holds and to `f` when not, both
 * placed after it. `and`/`or`/`not` compose conditions without materialising booleans, so
 * every test is one conditional jump and short-circuits as tcpdump's programs do.
 */
export type Cond = (e: CbpfEmitter, t: Label, f: Label) => void;

export const and = (...cs: Cond[]): Cond => (e, t, f) => {
  cs.forEach((c, i) => {
    if (i === cs.length - 1) return c(e, t, f);
    const next = e.newLabel();
    c(e, next, f);
    e.place(next);
  });
};

export const or = (...cs: Cond[]): Cond => (e, t, f) => {
  cs.forEach((c, i) => {
    if (i === cs.length - 1) return c(e, t, f);
    const next = e.newLabel();
    c(e, t, next);
    e.place(next);
  });
};

export const not = (c: Cond): Cond => (e, t, f) => c(e, f, t);

/** Statements that leave a value in A, then one compare of A with `k`. */
export const test = (load: (e: CbpfEmitter) => void, jump: number, k: number): Cond => (e, t, f) => {
  load(e);
  e.jump(jump, k >>> 0, t, f);
};

/** `size` bytes at a fixed packet offset into A. */
export const loadAbs = (size: 1 | 2 | 4, offset: number) => (e: CbpfEmitter) =>
  e.stmt(size === 1 ? OP.ldB : size === 2 ? OP.ldH : OP.ldW, offset);

export const eq = (size: 1 | 2 | 4, offset: number, k: number): Cond => test(loadAbs(size, offset), OP.jeq, k);

/** `(value at offset) & mask == k`. */
export const maskedEq = (size: 1 | 2 | 4, offset: number, mask: number, k: number): Cond => (mask >>> 0) === 0xffffffff
  ? eq(size, offset, k)
  : test((e) => { loadAbs(size, offset)(e); e.stmt(0x54, mask >>> 0); }, OP.jeq, k);
