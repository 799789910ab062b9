import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import type { FunctionCfg } from '../analysis/cfg.js';
import { solve } from '../analysis/dataflow.js';
import type { Insn } from '../decode/insn.js';
import type { HelperProto } from '../helpers/registry.js';

/**
 * Which scalars must be compared exactly when states are pruned: the kernel's precision
 * tracking, computed ahead by two dataflow problems instead of backtracking at run time.
 *
 * The kernel compares a scalar of an explored state with the current one only if the
 * scalar is "precise": its value decided something on the explored paths (a branch, a
 * pointer's offset, a helper's size). Any other scalar covers any scalar, which is what
 * lets a run of diamonds that each add 0 or 1 to a counter prune at every join.
 *
 * Here a register (or an 8-byte slot of the function's own stack) needs precision before
 * an instruction if, on some path from it, its value flows (through ALU operations, moves,
 * spills and fills) into: the operands of a conditional jump that some path so far found
 * decided (only one edge possible); the scalar added to or subtracted from a pointer; a
 * helper's or a subprogram's argument; r0 at a subprogram's exit; a map key on the stack
 * (an array lookup with a constant key proves the value non-null). That is a superset of
 * what the kernel marks on the paths below a state, so it prunes less often, never
 * wrongly: a state prunes others only once every path below it was explored (strict
 * mode), and by then every branch decided below it is among the decided ones, so two
 * states that agree on everything needing precision take the same decisions on every path.
 * Branches explored both ways need no precision: a value that decides one of them for
 * another state only takes fewer of the paths already explored.
 *
 * Whether an ALU operand is a pointer is itself found by a forward problem (kinds below):
 * only `pointer += scalar` makes the scalar precise, not `sum += byte`.
 */

/** A register's possible kinds, as bits. */
const SCALAR = 1;
const STACK = 2;
const OTHER_POINTER = 4;
const ANY = SCALAR | STACK | OTHER_POINTER;
const POINTER = STACK | OTHER_POINTER;

type Kinds = readonly number[];

/** Registers (bits 0-10) and stack slots (bits 0-63 of `slots`, slot 0 at r10-512; ALL_SLOTS: every one). */
export interface Needs {
  readonly regs: number;
  readonly slots: bigint;
}

const SLOT_COUNT = STACK_FRAME_SIZE / 8;
const ALL_SLOTS = (1n << BigInt(SLOT_COUNT)) - 1n;
const NONE: Needs = { regs: 0, slots: 0n };
const bit = (r: number) => 1 << r;
const CALL_CLOBBERED = 0b111111;

export interface PrecisionInput {
  readonly fn: FunctionCfg;
  readonly insns: readonly Insn[];
  /** The program type gives r1 at the entry function's start: a context pointer or (raw) a scalar. */
  readonly entryR1: number;
  helperProto(id: number): HelperProto | undefined;
  /** Whether exploration has found the conditional jump at `pc` decided on some path. */
  decided(pc: number): boolean;
}

/** What needs precision before each instruction of the function, by pc. */
export function precisionNeeds(input: PrecisionInput): Map<number, Needs> {
  const { fn, insns } = input;
  const kindsBefore = pointerKinds(input);
  const step = (needs: Needs, insn: Insn) => needsBefore(insn, needs, kindsBefore.get(insn.pc), input);
  const out = solve<Needs>(fn, {
    direction: 'backward',
    boundary: NONE,
    transfer: (block, state) => insns.slice(block.first, block.end).reduceRight(step, state),
    join: (a, b) => ({ regs: a.regs | b.regs, slots: a.slots | b.slots }),
    equal: (a, b) => a.regs === b.regs && a.slots === b.slots,
  });
  const before = new Map<number, Needs>();
  fn.blocks.forEach((block, id) => {
    // Unsolved or unreachable: everything is precise, which is always sound.
    let needs = out?.[id] ?? { regs: (1 << REG_COUNT) - 1, slots: ALL_SLOTS };
    for (let i = block.end - 1; i >= block.first; i--) {
      needs = step(needs, insns[i]);
      before.set(insns[i].pc, needs);
    }
  });
  return before;
}

/** The stack slots an access at r10+off of `size` bytes touches, as a mask (nothing if outside the frame). */
function slotsOf(off: number, size: number): bigint {
  const first = STACK_FRAME_SIZE + off;
  if (first < 0 || first + size > STACK_FRAME_SIZE) return 0n;
  let mask = 0n;
  for (let s = first >> 3; s <= (first + size - 1) >> 3; s++) mask |= 1n << BigInt(s);
  return mask;
}

/** One instruction, backward: what needs precision before it given what does after it. */
function needsBefore(insn: Insn, after: Needs, kinds: Kinds | undefined, input: PrecisionInput): Needs {
  const k = kinds ?? new Array<number>(REG_COUNT).fill(ANY);
  const sem = insn.spec.sem;
  let regs = after.regs;
  let slots = after.slots;
  const need = (r: number) => { regs |= bit(r); };
  const needed = (r: number) => (after.regs & bit(r)) !== 0;
  switch (sem.kind) {
    case 'alu': {
      const src = sem.source === 'reg' ? insn.src : -1;
      if (sem.op === 'mov' || sem.op === 'movsx') {
        regs &= ~bit(insn.dst);
        if (needed(insn.dst) && src >= 0) need(src);
        break;
      }
      // dst op= src: a precise result needs both; a pointer moved by a scalar needs the scalar.
      if (needed(insn.dst) && src >= 0) need(src);
      if (src >= 0 && sem.width === 64 && (sem.op === 'add' || sem.op === 'sub')) {
        if (k[insn.dst] & POINTER) need(src);
        if (k[src] & POINTER) need(insn.dst);
      }
      break;
    }
    case 'endian': break;
    case 'lddw': regs &= ~bit(insn.dst); break;
    case 'load': {
      const wasNeeded = needed(insn.dst);
      regs &= ~bit(insn.dst);
      if (wasNeeded) slots |= stackRead(insn.src, insn.off, sem.size, k);
      break;
    }
    case 'store': {
      const touched = insn.dst === FP ? slotsOf(insn.off, sem.size) : (k[insn.dst] & STACK ? ALL_SLOTS : 0n);
      if (sem.source === 'reg' && (slots & touched) !== 0n) need(insn.src);
      // A whole aligned slot written from r10 replaces what was there.
      if (insn.dst === FP && sem.size === 8 && (insn.off & 7) === 0) slots &= ~touched;
      break;
    }
    case 'atomic': {
      // Memory takes src (and for cmpxchg, r0 decides whether); a fetch returns the old value.
      const touched = insn.dst === FP ? slotsOf(insn.off, sem.size) : (k[insn.dst] & STACK ? ALL_SLOTS : 0n);
      const fetched = sem.op === 'cmpxchg' ? 0 : sem.fetch ? insn.src : -1;
      const fetchedNeeded = fetched >= 0 && needed(fetched);
      if (fetched >= 0) regs &= ~bit(fetched);
      if (fetchedNeeded || (after.slots & touched) !== 0n) {
        slots |= touched;
        need(insn.src);
        if (sem.op === 'cmpxchg') need(0);
      }
      break;
    }
    case 'jmp':
      // Two registers compared: a bound one of them needs comes from the other (the kernel's backtrack_insn).
      if (sem.source === 'reg' && (needed(insn.dst) || needed(insn.src))) {
        need(insn.dst);
        need(insn.src);
      }
      if (!input.decided(insn.pc)) break;
      need(insn.dst);
      if (sem.source === 'reg') need(insn.src);
      break;
    case 'exit':
      if (input.fn.sub.entry !== 0) need(0); // the caller's r0, or a callback's verdict
      break;
    case 'packet':
      regs &= ~CALL_CLOBBERED;
      if (sem.mode === 'ind') need(insn.src);
      break;
    case 'call': {
      regs &= ~CALL_CLOBBERED;
      if (sem.target !== 'helper') {
        // A subprogram may use any argument, or read this stack through a pointer, precisely.
        regs |= 0b111110;
        if (sem.target === 'reg') need(insn.dst);
        slots = ALL_SLOTS;
        break;
      }
      const proto = input.helperProto(insn.imm);
      const args = proto?.args ?? ['anything', 'anything', 'anything', 'anything', 'anything'];
      args.forEach((kind, i) => { if (kind !== 'unchecked' && i < 5) need(i + 1); });
      if (args.includes('ptr_to_map_key')) slots = ALL_SLOTS;
      break;
    }
    case 'ja': break;
  }
  return { regs, slots };
}

/** Slots a load of a needed register reads: its own at r10+off, every one through any other stack pointer. */
function stackRead(base: number, off: number, size: number, k: Kinds): bigint {
  if (base === FP) return slotsOf(off, size);
  return k[base] & STACK ? ALL_SLOTS : 0n;
}

/** The kinds each register may have before each instruction (forward). */
function pointerKinds(input: PrecisionInput): Map<number, Kinds> {
  const { fn, insns } = input;
  const entry = new Array<number>(REG_COUNT).fill(ANY);
  entry[FP] = STACK;
  if (fn.sub.entry === 0) entry[1] = input.entryR1;
  const step = (kinds: Kinds, insn: Insn) => kindsAfter(insn, kinds, input);
  const starts = solve<Kinds>(fn, {
    direction: 'forward',
    boundary: entry,
    transfer: (block, state) => insns.slice(block.first, block.end).reduce(step, state),
    join: (a, b) => a.map((x, r) => x | b[r]),
    equal: (a, b) => a.every((x, r) => x === b[r]),
  });
  const before = new Map<number, Kinds>();
  fn.blocks.forEach((block, id) => {
    const start = starts?.[id];
    if (start === undefined) return; // unreachable or unsolved: needsBefore assumes any kind
    let kinds = start;
    for (let i = block.first; i < block.end; i++) {
      before.set(insns[i].pc, kinds);
      kinds = step(kinds, insns[i]);
    }
  });
  return before;
}

function kindsAfter(insn: Insn, kinds: Kinds, input: PrecisionInput): Kinds {
  const sem = insn.spec.sem;
  const k = [...kinds];
  switch (sem.kind) {
    case 'alu':
      if (sem.width === 64 && sem.op === 'mov' && sem.source === 'reg') k[insn.dst] = kinds[insn.src];
      else if (sem.width === 64 && (sem.op === 'add' || sem.op === 'sub')) {
        k[insn.dst] = SCALAR | kinds[insn.dst] | (sem.source === 'reg' && sem.op === 'add' ? kinds[insn.src] & POINTER : 0);
      } else k[insn.dst] = SCALAR;
      break;
    case 'endian': k[insn.dst] = SCALAR; break;
    case 'lddw': k[insn.dst] = sem.pseudo === 'imm64' ? SCALAR : OTHER_POINTER; break;
    case 'load':
      // Pointers come back from 8-byte fills, and from a context's 4-byte data/data_end fields.
      k[insn.dst] = sem.signed ? SCALAR
        : sem.size === 8 ? ANY
          : sem.size === 4 && kinds[insn.src] & OTHER_POINTER ? SCALAR | OTHER_POINTER : SCALAR;
      break;
    case 'atomic':
      if (sem.op === 'cmpxchg') k[0] = SCALAR;
      else if (sem.fetch) k[insn.src] = SCALAR;
      break;
    case 'packet':
      for (let r = 0; r <= 5; r++) k[r] = ANY;
      k[0] = SCALAR;
      break;
    case 'call': {
      for (let r = 1; r <= 5; r++) k[r] = ANY;
      const ret = sem.target === 'helper' ? input.helperProto(insn.imm)?.ret : undefined;
      k[0] = ret === 'integer' || ret === 'void' ? SCALAR : SCALAR | OTHER_POINTER;
      break;
    }
    default: break;
  }
  return k;
}

/** r1 at the entry function's start, by whether the program type passes a context pointer. */
export const ENTRY_R1 = { context: OTHER_POINTER, raw: SCALAR | OTHER_POINTER } as const;

export const isSlotNeeded = (needs: Needs, slot: number) => (needs.slots & (1n << BigInt(slot))) !== 0n;
