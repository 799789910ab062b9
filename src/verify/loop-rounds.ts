import { successors, type ProgramCfg } from '../analysis/cfg.js';
import { dominators } from '../analysis/dominators.js';
import { naturalLoops } from '../analysis/natural-loops.js';

/**
 * Checked mode's loops, as widening sees them. A loop is widened at its head after a few
 * rounds, each round compared with the one before it on the same path; rounds count from
 * the loop's entry, so an inner loop entered again by the next round of an outer one
 * starts afresh instead of being widened against the outer loop's last round (which
 * would forget the outer loop's counters: string compares of several suffixes lost every
 * proof that way). A round in which one of the loop's exits (a branch that can leave the
 * loop) compared two known numbers (`rep < 16` with rep known) and so went one way only
 * does not count, up to EXACT_ROUNDS of them: a loop that known numbers bound is walked
 * exactly, as the kernel walks every bounded loop, and what its body proves for each known
 * value stays proven. A loop whose exits depend on values known only as ranges (`i < len`,
 * even once len is narrowed to [57, 63]) widens after a few rounds, as before.
 */

/** Rounds that decided an exit of their loop, walked exactly before they too count. */
export const EXACT_ROUNDS = 32;

/** A decided exit branch a path passed (a list shared by the paths forked from it). */
export interface DecidedExit {
  /** The loop heads whose loop the branch can leave. */
  readonly heads: readonly number[];
  /** When: the verifier's processed count. */
  readonly at: number;
  readonly before: DecidedExit | undefined;
}

/** Whether the path passed a decided exit of `head`'s loop since `since` (a processed count). */
export function decidedExitSince(exits: DecidedExit | undefined, head: number, since: number): boolean {
  for (let e = exits; e !== undefined && e.at > since; e = e.before) if (e.heads.includes(head)) return true;
  return false;
}

export class LoopHeads {
  /** Each head's pc, with the start pcs of its loop's blocks (none known for an irreducible cycle's). */
  private readonly bodies = new Map<number, ReadonlySet<number>>();
  /** The heads whose loops each branch (by pc) can leave. */
  private readonly exits = new Map<number, number[]>();

  constructor(cfg: ProgramCfg) {
    for (const fn of cfg.functions) {
      const startPc = (block: number) => fn.blocks[block].startPc;
      for (const loop of naturalLoops(fn, dominators(fn))) {
        const head = startPc(loop.header);
        this.bodies.set(head, new Set([...loop.body].map(startPc)));
        for (const b of loop.body) {
          const block = fn.blocks[b];
          if (block.terminator.kind !== 'branch' || successors(block).every((s) => loop.body.has(s))) continue;
          const pc = block.terminator.insn.pc;
          this.exits.set(pc, [...(this.exits.get(pc) ?? []), head]);
        }
      }
      // A cycle with no natural loop (entered in more than one place) still needs a head
      // where it widens: the target of each edge back to a block still open in a depth-first walk.
      for (const target of retreatingTargets(fn.blocks.map((b) => successors(b)))) {
        if (!this.bodies.has(startPc(target))) this.bodies.set(startPc(target), new Set());
      }
    }
  }

  isHead(pc: number): boolean {
    return this.bodies.has(pc);
  }

  /** The heads of the loops the branch at `pc` can leave. */
  exitsOf(pc: number): readonly number[] | undefined {
    return this.exits.get(pc);
  }

  /** Whether `head`'s loop holds `pc` as an outer loop does (passing `head` means `pc`'s loop was entered anew). */
  encloses(head: number, pc: number): boolean {
    return head !== pc && this.bodies.get(head)?.has(pc) === true && this.bodies.get(pc)?.has(head) !== true;
  }
}

/** Blocks entered by an edge from a block still on the stack of a depth-first walk from block 0. */
function retreatingTargets(succ: readonly (readonly number[])[]): Set<number> {
  const targets = new Set<number>();
  if (succ.length === 0) return targets;
  const state = new Uint8Array(succ.length); // 0 unseen, 1 open, 2 done
  const stack: [number, number][] = [[0, 0]];
  state[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = succ[top[0]][top[1]++];
    if (next === undefined) {
      state[top[0]] = 2;
      stack.pop();
    } else if (state[next] === 1) targets.add(next);
    else if (state[next] === 0) {
      state[next] = 1;
      stack.push([next, 0]);
    }
  }
  return targets;
}
