import { STACK_FRAME_SIZE } from '../abi/layout.js';
import { FP, REG_COUNT } from '../abi/registers.js';
import { NOT_INIT, pointerReg, regCovers, regEqual, regString, type Reg } from './registers.js';
import { isSlotNeeded, type Needs } from './precision.js';
import { constant } from './scalar.js';

/**
 * The verifier's state on one path: the call frames (registers and the 512-byte stack
 * of each), and the references the program holds (ringbuf records it must submit or
 * discard). Stack bytes are tracked one by one, as the kernel's slot_type: never written,
 * written with a value the verifier does not follow (misc), known zero, or part of an
 * 8-byte slot holding a spilled register, whose state comes back when it is filled.
 */

/** The kind of each stack byte (the kernel's STACK_INVALID, STACK_MISC, STACK_ZERO, STACK_SPILL). */
export const Byte = { Invalid: 0, Misc: 1, Zero: 2, Spill: 3 } as const;

export const SLOTS = STACK_FRAME_SIZE / 8;

export interface Frame {
  readonly regs: Reg[];
  /** One Byte per stack byte; index 0 is r10 - 512. Shared with clones until written (see ownStack). */
  bytes: Uint8Array;
  /** The register spilled in each 8-byte slot (index 0 holds r10-512..-505). Shared like bytes. */
  spills: (Reg | undefined)[];
  /** bytes and spills are shared with another frame: copy them before writing (ownStack). */
  shared: boolean;
  /** The pc of the function's first instruction. */
  readonly entry: number;
  /** Where the caller goes on at its return (the call's next pc), -1 for the entry function. */
  readonly returnPc: number;
  /** The call's pc, -1 for the entry function. */
  readonly callPc: number;
  /** bpf_loop's callback: the helper call's pc in the caller (the frame returns to a loop, not a call). */
  readonly callbackOf: number;
  /** The deepest byte this frame's stack was touched at (for the combined stack limit). */
  depth: number;
}

export interface State {
  readonly frames: Frame[];
  /** Outstanding references: their id, and the pc of the helper call that made them. */
  readonly refs: { readonly id: number; readonly pc: number }[];
  /** Raw programs: the input is at least this long on this path (input-length.ts). */
  lenMin: number;
}

export function newFrame(regs: Reg[], entry: number, returnPc: number, callPc: number, callbackOf = -1): Frame {
  return {
    regs, bytes: new Uint8Array(STACK_FRAME_SIZE), spills: new Array(SLOTS).fill(undefined), shared: false, entry, returnPc, callPc, callbackOf, depth: 0,
  };
}

/** The state a program starts in: r1 = its context (or input), r10 = the frame pointer, the rest unwritten. */
export function initialState(r1: Reg, r2: Reg = NOT_INIT): State {
  const regs = new Array<Reg>(REG_COUNT).fill(NOT_INIT);
  regs[1] = r1;
  regs[2] = r2;
  regs[FP] = pointerReg('stack', { frame: 0 });
  return { frames: [newFrame(regs, 0, -1, -1)], refs: [], lenMin: 0 };
}

/**
 * A copy of the state. Stacks are copied on write: the clone and the original share each
 * frame's bytes and spills, both marked shared, and whichever writes first copies them
 * (ownStack). Most clones (checkpoints, the other edge of a jump) never write their stack.
 */
export function cloneState(s: State): State {
  return {
    frames: s.frames.map((f) => {
      f.shared = true;
      return { ...f, regs: [...f.regs] };
    }),
    refs: [...s.refs],
    lenMin: s.lenMin,
  };
}

/** The frame, its stack made its own to write (the copy of copy-on-write). */
export function ownStack(frame: Frame): Frame {
  if (frame.shared) {
    frame.bytes = frame.bytes.slice();
    frame.spills = frame.spills.slice();
    frame.shared = false;
  }
  return frame;
}

/** Set a spill slot's register (making the stack the frame's own first). */
export function setSpill(frame: Frame, slot: number, reg: Reg | undefined): void {
  if (frame.spills[slot] !== reg) ownStack(frame).spills[slot] = reg;
}

export function currentFrame(s: State): Frame {
  return s.frames[s.frames.length - 1];
}

/** A zero-filled register, what STACK_ZERO bytes read back as. */
export const ZERO_REG: Reg = { ...NOT_INIT, kind: 'scalar', var: constant(0n) };

/**
 * Whether everything `cur` may be, `old` may be (the kernel's states_equal for pruning):
 * registers by regCovers (only those `live` in the top frame), stack bytes by kind (a byte
 * `old` never wrote covers anything), spills by regCovers, and the same references.
 * Scalars `old` linked (one id) must be linked alike in `cur` (the kernel's check_ids): a
 * bound learnt on one of them later moved the others on `old`'s paths. A scalar linked
 * to one that needs precision needs it too.
 */
export function stateCovers(old: State, cur: State, live: (r: number) => boolean, needs: Needs = ALL_NEEDED): boolean {
  const depth = old.frames.length;
  if (depth !== cur.frames.length || old.refs.length !== cur.refs.length || old.lenMin > cur.lenMin) return false;
  const links = new LinkMap();
  const topRegs = old.frames[depth - 1].regs;
  let neededIds: Set<number> | undefined;
  for (let r = 0; r < REG_COUNT; r++) {
    if ((needs.regs & (1 << r)) !== 0 && topRegs[r].kind === 'scalar' && topRegs[r].id !== 0) (neededIds ??= new Set()).add(topRegs[r].id);
  }
  for (let i = 0; i < depth; i++) {
    const o = old.frames[i];
    const c = cur.frames[i];
    if (o.callPc !== c.callPc || o.callbackOf !== c.callbackOf) return false;
  }
  // Registers before stacks, the top frame's first: they differ most often, and cost least to compare.
  for (let i = depth - 1; i >= 0; i--) {
    const o = old.frames[i].regs;
    const c = cur.frames[i].regs;
    const top = i === depth - 1;
    for (let r = 0; r < REG_COUNT; r++) {
      if (top && !live(r)) continue;
      // A scalar whose value decides nothing from here covers any scalar (see precision.ts).
      const linkedToNeeded = neededIds !== undefined && ((o[r].id !== 0 && neededIds.has(o[r].id)) || (o[r].above !== undefined && neededIds.has(o[r].above!.id)));
      if (top && o[r].kind === 'scalar' && c[r].kind === 'scalar' && (needs.regs & (1 << r)) === 0 && !linkedToNeeded) continue;
      if (!regCovers(o[r], c[r], cur.lenMin) || !links.consistent(o[r], c[r])) return false;
    }
  }
  for (let i = depth - 1; i >= 0; i--) {
    if (!stackCovers(old.frames[i], cur.frames[i], i === depth - 1 ? needs : ALL_NEEDED, cur.lenMin, links)) return false;
  }
  return true;
}

/**
 * Old scalar ids to the current ids and offsets they stand for: `old`'s links (x = base +
 * off for every scalar of one id) hold in `cur` if each old id meets one current id, at
 * one constant shift of the offsets throughout.
 */
class LinkMap {
  /** Made at the first link met: most states compared hold none, and this runs at every prune point. */
  private map: Map<number, { id: number; shift: number }> | undefined;

  consistent(o: Reg, c: Reg): boolean {
    if (o.kind !== 'scalar') return true;
    if (o.above !== undefined && (c.above === undefined || !this.same(o.above, c.above))) return false;
    if (o.id === 0) return true;
    return c.kind === 'scalar' && c.id !== 0 && this.same(o, c);
  }

  /** Whether old's (id, off) stands for cur's under the map, recording the pair if the id is new. */
  private same(o: { readonly id: number; readonly off: number }, c: { readonly id: number; readonly off: number }): boolean {
    const seen = this.map?.get(o.id);
    if (seen === undefined) {
      (this.map ??= new Map()).set(o.id, { id: c.id, shift: c.off - o.off });
      return true;
    }
    return seen.id === c.id && seen.shift === c.off - o.off;
  }
}

const ALL_NEEDED: Needs = { regs: (1 << REG_COUNT) - 1, slots: (1n << BigInt(SLOTS)) - 1n };

/** Whether the 8 bytes of a slot hold a number, however it was written (no pointer, nothing unwritten). */
function holdsScalar(f: Frame, slot: number): boolean {
  for (let i = slot * 8; i < slot * 8 + 8; i++) {
    const b = f.bytes[i];
    if (b === Byte.Invalid || (b === Byte.Spill && f.spills[slot]?.kind !== 'scalar')) return false;
  }
  return true;
}

function stackCovers(o: Frame, c: Frame, needs: Needs, lenMin: number, links: LinkMap): boolean {
  // Below its depth, `old` never wrote a byte: those cover anything.
  for (let i = STACK_FRAME_SIZE - o.depth; i < STACK_FRAME_SIZE; i++) {
    const slot = i >> 3;
    // A number in a slot whose value decides nothing from here covers any number (precision.ts).
    if ((i & 7) === 0 && !isSlotNeeded(needs, slot) && !o.spills[slot]?.id && holdsScalar(o, slot) && holdsScalar(c, slot)) {
      i += 7;
      continue;
    }
    const ob = o.bytes[i];
    const cb = c.bytes[i];
    if (ob === Byte.Invalid) continue;
    if (cb === Byte.Invalid) return false;
    if (ob === Byte.Misc) {
      if (cb === Byte.Spill && c.spills[i >> 3]?.kind !== 'scalar') return false;
      continue;
    }
    if (ob === Byte.Zero) {
      if (cb !== Byte.Zero) return false;
      continue;
    }
    // A spill: the same slot must hold a spill covered by it.
    if (cb !== Byte.Spill) return false;
    if ((i & 7) === 0 && (!regCovers(o.spills[i >> 3]!, c.spills[i >> 3]!, lenMin) || !links.consistent(o.spills[i >> 3]!, c.spills[i >> 3]!))) return false;
  }
  return true;
}

/** Whether two states are the same (a loop that came back to where it was: it would never end). */
export function stateEquals(a: State, b: State): boolean {
  if (a.frames.length !== b.frames.length || a.refs.length !== b.refs.length || a.lenMin !== b.lenMin) return false;
  return a.frames.every((f, i) => {
    const g = b.frames[i];
    if (f.callPc !== g.callPc || !f.regs.every((r, k) => regEqual(r, g.regs[k]))) return false;
    for (let j = 0; j < STACK_FRAME_SIZE; j++) if (f.bytes[j] !== g.bytes[j]) return false;
    return f.spills.every((s, k) => (s === undefined ? g.spills[k] === undefined : g.spills[k] !== undefined && regEqual(s, g.spills[k]!)));
  });
}

/**
 * The top frame as the kernel's log prints it: `R1=ctx() R2=pkt(r=14) R10=fp0 fp-8=scalar()`,
 * written registers only, then the stack slots holding a spill (`fp-8=...`) or known
 * zeros/numbers (`fp-16=00000000`, `m` for a byte of some number), each frame above the
 * first introduced by its number.
 */
export function stateString(s: State): string {
  const top = s.frames.length - 1;
  const frame = s.frames[top];
  const parts: string[] = [];
  frame.regs.forEach((reg, r) => { if (reg.kind !== 'not_init') parts.push(`R${r}=${r === FP ? `fp${top}` : regString(reg)}`); });
  for (let slot = SLOTS - 1; slot >= 0; slot--) {
    const bytes = frame.bytes.subarray(slot * 8, slot * 8 + 8);
    if (bytes.every((b) => b === Byte.Invalid)) continue;
    const at = `fp${slot * 8 - STACK_FRAME_SIZE}`;
    const spill = frame.spills[slot];
    if (spill && bytes.every((b) => b === Byte.Spill)) parts.push(`${at}=${regString(spill)}`);
    else parts.push(`${at}=${[...bytes].reverse().map((b) => '?m0s'[b]).join('')}`);
  }
  if (s.lenMin > 0) parts.push(`len>=${s.lenMin}`);
  return (top > 0 ? `frame${top}: ` : '') + parts.join(' ');
}
