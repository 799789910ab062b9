import type { Layout } from '../abi/layout.js';
import { FP } from '../abi/registers.js';
import { lddwValue, memoryAccess, overwrittenRegisters, type Insn } from '../decode/insn.js';
import type { JmpCond } from '../decode/opcodes.js';
import type { BasicBlock, FunctionCfg } from './cfg.js';
import { NEGATED, SWAPPED } from './conditions.js';
import { solve } from './dataflow.js';

/**
 * Input accesses that need no range check, proven by a small sound dataflow over the
 * entry function (a first step towards the verifier's facts).
 *
 * A run starts with r1 = the input's address and r2 = its length (`len`); bpf_tail_call
 * keeps it so (it refuses any other ctx). The analysis tracks, per register:
 *   - an exact input pointer `inputBase + k`, the exact `len`, or a constant;
 *   - an index known to satisfy `v + k <= len` (unsigned), learnt from a compare with
 *     `len` (`if (i < len)` gives k = 1 where it holds);
 *   - an input pointer with such an index added: `inputBase + lo + v`, so its offset
 *     lies in [lo, len - slack];
 * and per path a lower bound `minLen <= len` learnt from
 *   - branches comparing `len` with a constant (`if (len < 34) return 0;` gives
 *     minLen = 34 on the path that goes on), and
 *   - accesses that were checked: `[inputBase + a, + size)` inside the input area only
 *     passes its check if len >= a + size, so the code after it may rely on that.
 * An access whose bytes are then inside [inputBase, inputBase + len) whatever len is at
 * run time has its check dropped: `[inputBase + k + off, + size)` with 0 <= k + off and
 * k + off + size <= minLen, or through an indexed pointer with 0 <= lo + off and
 * off + size <= slack.
 *
 * Sound by construction, not by guess: anything unknown (loads, 32-bit results, calls,
 * which clobber r0-r5) forgets; paths meet by keeping only what both know and the
 * smaller minLen. Other functions (local calls, callbacks) get nothing: their r1 is an
 * argument.
 */

type Value =
  | { readonly kind: 'input'; readonly offset: number }
  /** inputBase + lo + v for some v in [0, len - lo - slack]: an offset in [lo, len - slack]. */
  | { readonly kind: 'indexed'; readonly lo: number; readonly slack: number }
  /** A value v with v + k <= len (so 0 <= v <= len - k), k >= 0. */
  | { readonly kind: 'below'; readonly k: number }
  | { readonly kind: 'len' }
  | { readonly kind: 'const'; readonly value: bigint }
  | { readonly kind: 'unknown' };

interface State {
  readonly regs: Value[];
  minLen: number;
}

const UNKNOWN: Value = { kind: 'unknown' };
const LEN: Value = { kind: 'len' };
/** Offsets beyond this are no use (the input area is smaller) and risk precision. */
const MAX_OFFSET = 2 ** 32;
/** A bound no length meets: the path cannot run, so anything may be assumed on it. */
const IMPOSSIBLE = Number.MAX_SAFE_INTEGER;

const same = (a: Value, b: Value): boolean =>
  a.kind === b.kind
  && (a.kind !== 'input' || a.offset === (b as typeof a).offset)
  && (a.kind !== 'indexed' || (a.lo === (b as typeof a).lo && a.slack === (b as typeof a).slack))
  && (a.kind !== 'below' || a.k === (b as typeof a).k)
  && (a.kind !== 'const' || a.value === (b as typeof a).value);

const input = (offset: number): Value => (Math.abs(offset) < MAX_OFFSET ? { kind: 'input', offset } : UNKNOWN);
/** Facts weaken towards k = 0 and slack = 0; below that they are dropped, so loops settle. */
const below = (k: number): Value => (k >= 0 && k < MAX_OFFSET ? { kind: 'below', k } : UNKNOWN);
const indexed = (lo: number, slack: number): Value =>
  (Math.abs(lo) < MAX_OFFSET && slack >= 0 && slack < MAX_OFFSET ? { kind: 'indexed', lo, slack } : UNKNOWN);

/** `v` as an index bound k (v + k <= len) on a path where len >= minLen: constants count. */
function asIndex(v: Value, minLen: number): number | undefined {
  if (v.kind === 'below') return v.k;
  if (v.kind === 'const' && v.value <= BigInt(minLen)) return minLen - Number(v.value);
  return undefined;
}

/** What two paths both know of a register (a loop's first trip, with its constants, meets the later ones). */
function meetValues(a: Value, b: Value, aMinLen: number, bMinLen: number): Value {
  if (same(a, b)) return a;
  const ka = asIndex(a, aMinLen);
  const kb = asIndex(b, bMinLen);
  if (ka !== undefined && kb !== undefined) return below(Math.min(ka, kb));
  if (a.kind === 'indexed' && b.kind === 'indexed' && a.lo === b.lo) return indexed(a.lo, Math.min(a.slack, b.slack));
  return UNKNOWN;
}

/**
 * Widening at a block seen before: a bound that shrank drops to its weakest form at
 * once, so a loop stepping an index settles in a few rounds instead of one per value.
 */
function widen(old: Value, next: Value): Value {
  if (old.kind === 'below' && next.kind === 'below' && next.k < old.k) return below(0);
  if (old.kind === 'indexed' && next.kind === 'indexed' && next.lo === old.lo && next.slack < old.slack) return indexed(next.lo, 0);
  return next;
}

/** A constant; one inside the input area is an exact input pointer (e.g. from lddw). */
function constant(value: bigint, layout: Layout): Value {
  const offset = value - BigInt(layout.inputBase);
  return offset >= 0n && offset < BigInt(layout.maxInputSize) ? input(Number(offset)) : { kind: 'const', value };
}

/** A constant as a small signed delta, if it is one. */
function smallDelta(c: bigint | undefined): number | undefined {
  if (c === undefined) return undefined;
  const delta = BigInt.asIntN(64, c);
  return delta > -BigInt(MAX_OFFSET) && delta < BigInt(MAX_OFFSET) ? Number(delta) : undefined;
}

/** 64-bit `dst op= operand` for the tracked values; everything else forgets dst. */
function alu(op: string, dst: Value, operand: Value): Value {
  if (op === 'mov') return operand;
  const c = operand.kind === 'const' ? operand.value : undefined;
  const delta = smallDelta(c);
  if (delta !== undefined && (op === 'add' || op === 'sub')) {
    const d = op === 'add' ? delta : -delta;
    if (dst.kind === 'input') return input(dst.offset + d);
    if (dst.kind === 'indexed') return indexed(dst.lo + d, dst.slack - d);
    // v + k <= len and v + d cannot wrap (v <= len < 2^32) only if d >= 0.
    if (dst.kind === 'below') return d >= 0 ? below(dst.k - d) : UNKNOWN;
  }
  // v >> x and v & x are at most v (unsigned): an index (or len itself) stays one.
  const slack = lenSlack(dst);
  if (slack !== undefined && (op === 'rsh' || op === 'and')) return below(slack);
  if (op === 'add' && dst.kind === 'input' && operand.kind === 'below') return indexed(dst.offset, operand.k - dst.offset);
  if (op === 'add' && dst.kind === 'below' && operand.kind === 'input') return alu('add', operand, dst);
  if (op === 'add' && dst.kind === 'const' && (operand.kind === 'input' || operand.kind === 'indexed' || operand.kind === 'below')) {
    return alu('add', operand, dst);
  }
  if (dst.kind === 'const' && c !== undefined && (op === 'add' || op === 'sub')) {
    return { kind: 'const', value: BigInt.asUintN(64, op === 'add' ? dst.value + c : dst.value - c) };
  }
  return UNKNOWN;
}

function transfer(state: State, insn: Insn, layout: Layout): void {
  const sem = insn.spec.sem;
  const regs = state.regs;
  const acc = memoryAccess(insn);
  if (acc) {
    // Reaching the next instruction means the access passed its check (or needed none).
    const base = regs[acc.base];
    const start = base.kind === 'input' ? base.offset + insn.off : -1;
    if (start >= 0 && start + acc.size <= layout.maxInputSize) state.minLen = Math.max(state.minLen, start + acc.size);
  }
  switch (sem.kind) {
    case 'alu': {
      const operand = sem.source === 'reg' ? regs[insn.src] : constant(BigInt.asUintN(64, BigInt(insn.imm)), layout);
      regs[insn.dst] = sem.width === 64 && sem.op !== 'movsx' ? alu(sem.op, regs[insn.dst], operand) : UNKNOWN;
      return;
    }
    case 'lddw':
      regs[insn.dst] = sem.pseudo === 'imm64' ? constant(lddwValue(insn), layout) : UNKNOWN;
      return;
    default:
      for (const r of overwrittenRegisters(insn)) regs[r] = UNKNOWN;
      return;
  }
}

/**
 * What `len cond x` teaches where it holds (`holds`) or fails, as `len >= x + extra`
 * (extra 0 or 1): `len != 0` gives len >= 1 (the `if (len == 0) return` before clang's
 * rotated loops); signed compares, jset and other inequalities teach nothing here.
 */
function lenAtLeast(cond: JmpCond, holds: boolean, x: Value): number | undefined {
  const op = holds ? cond : NEGATED[cond];
  if (op === 'ne') return x.kind === 'const' && x.value === 0n ? 1 : undefined;
  return op === 'gt' ? 1 : op === 'ge' || op === 'eq' ? 0 : undefined;
}

/** `y + k <= len` for a register holding len (k = 0) or an index below it. */
function lenSlack(v: Value): number | undefined {
  return v.kind === 'len' ? 0 : v.kind === 'below' ? v.k : undefined;
}

/**
 * The state on one edge of a block's 64-bit conditional jump comparing a bound y (len,
 * or an index y with y + k <= len) with another value x: where the edge's condition
 * gives y >= x + extra, a constant x raises minLen to x + extra + k, and any other x
 * not tracked as a pointer becomes an index with x + extra + k <= len.
 */
function refine(state: State, insn: Insn, taken: boolean): State {
  const sem = insn.spec.sem;
  if (sem.kind !== 'jmp' || sem.width !== 64) return state;
  const imm: Value = { kind: 'const', value: BigInt.asUintN(64, BigInt(insn.imm)) };
  const left = state.regs[insn.dst];
  const right = sem.source === 'reg' ? state.regs[insn.src] : imm;
  // Try the right operand as the bound first (`i < len`), then the left (`len > i`).
  for (const boundFirst of [false, true]) {
    const [bound, other] = boundFirst ? [left, right] : [right, left];
    const k = lenSlack(bound);
    const cond = boundFirst ? sem.cond : SWAPPED[sem.cond];
    const extra = k === undefined || cond === undefined ? undefined : lenAtLeast(cond, taken, other);
    if (k === undefined || extra === undefined) continue;
    if (other.kind === 'const') {
      const atLeast = other.value + BigInt(extra + k);
      const minLen = atLeast > BigInt(IMPOSSIBLE) ? IMPOSSIBLE : Number(atLeast);
      return minLen <= state.minLen ? state : { regs: state.regs, minLen };
    }
    if (sem.source !== 'reg' || (other.kind !== 'unknown' && other.kind !== 'below')) continue;
    if (other.kind === 'below' && other.k >= extra + k) return state;
    const regs = [...state.regs];
    regs[boundFirst ? insn.src : insn.dst] = below(extra + k);
    return { regs, minLen: state.minLen };
  }
  return state;
}

/** The pcs of the entry function's accesses proven inside the input. */
export function provenInputAccesses(fn: FunctionCfg, insns: readonly Insn[], layout: Layout): Set<number> {
  const proven = new Set<number>();
  if (fn.index !== 0) return proven;
  const entry: State = { regs: new Array<Value>(FP + 1).fill(UNKNOWN), minLen: 0 };
  entry.regs[1] = input(0);
  entry.regs[2] = LEN;
  // Each block's state only loses facts when revisited (meet, then widening), so this ends.
  const states = solve<State>(fn, {
    direction: 'forward',
    boundary: entry,
    transfer: (block, state) => runBlock(block, state, insns, layout),
    edge: (from, to, state) => {
      const t = from.terminator;
      return t.kind === 'branch' && t.taken !== t.fallthrough ? refine(state, t.insn, to.id === t.taken) : state;
    },
    join: (old, incoming) => ({
      regs: old.regs.map((v, r) => meetValues(v, incoming.regs[r], old.minLen, incoming.minLen)),
      minLen: Math.min(old.minLen, incoming.minLen),
    }),
    widen: (old, next) => ({ regs: old.regs.map((v, r) => widen(v, next.regs[r])), minLen: next.minLen }),
    equal: (a, b) => a.minLen === b.minLen && a.regs.every((v, r) => same(v, b.regs[r])),
  });
  if (states === undefined) return proven;
  // With the fixpoint reached, an access is proven if it is in every state that reaches it.
  fn.blocks.forEach((block, id) => {
    const state = states[id];
    if (!state) return; // unreachable
    runBlock(block, state, insns, layout, (insn, s) => {
      const acc = memoryAccess(insn);
      if (acc && inBounds(s.regs[acc.base], insn.off, acc.size, s.minLen)) proven.add(insn.pc);
    });
  });
  return proven;
}

/** Whether `[base + off, + size)` lies inside the input whatever its length. */
function inBounds(base: Value, off: number, size: number, minLen: number): boolean {
  if (base.kind === 'input') return base.offset + off >= 0 && base.offset + off + size <= minLen;
  if (base.kind === 'indexed') return base.lo + off >= 0 && off + size <= base.slack;
  return false;
}

/** Run a block from `state`, calling `visit` with the state before each instruction; the state after it. */
function runBlock(
  block: BasicBlock, state: State, insns: readonly Insn[], layout: Layout, visit?: (insn: Insn, before: State) => void,
): State {
  const s: State = { regs: [...state.regs], minLen: state.minLen };
  for (let i = block.first; i < block.end; i++) {
    visit?.(insns[i], s);
    transfer(s, insns[i], layout);
  }
  return s;
}
