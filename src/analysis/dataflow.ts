import { successors, type BasicBlock, type FunctionCfg } from './cfg.js';

/**
 * The one dataflow solver every analysis uses: a worklist over one function's blocks
 * until the states stop changing (Kildall). A problem names its direction, the state
 * where the flow starts, what a block does to a state, how states meet where paths
 * join, and optionally what an edge teaches (a branch's condition) and how to widen a
 * state that keeps changing in a loop.
 *
 * Forward, a block's state is the state at its entry; the flow starts at the entry
 * block. Backward, it is the state at its exit; the flow starts at every block that
 * ends in `exit`, and runs against the edges.
 *
 * The worklist is a stack of the blocks whose state changed; a block is first seen with
 * the state that reaches it and afterwards with `widen(old, join(old, incoming))`.
 * Revisits are capped (a problem whose lattice is too tall, or a mistake, must not hang a
 * load): past the cap `solve` gives up and returns undefined, and every client then
 * assumes nothing, which is always sound for it.
 */

export interface DataflowProblem<S> {
  readonly direction: 'forward' | 'backward';
  /** The state where the flow starts: at the entry (forward) or after each `exit` (backward). */
  readonly boundary: S;
  /** A block's effect, in the problem's direction. Must not modify `state`. */
  transfer(block: BasicBlock, state: S): S;
  /**
   * The state carried along the CFG edge `from` -> `to`: forward, from's exit state on its
   * way into `to` (a branch condition refining it); backward, to's entry state on its way
   * back to from's exit. Default: the state unchanged.
   */
  edge?(from: BasicBlock, to: BasicBlock, state: S): S;
  /** What two states that meet both say (a may-analysis unites, a must-analysis intersects). */
  join(old: S, incoming: S): S;
  /** At a block seen before: jump ahead to a state that will not keep changing. Default: `next`. */
  widen?(old: S, next: S): S;
  equal(a: S, b: S): boolean;
}

/** Visits per block before the solver gives up (see above). */
const VISITS_PER_BLOCK = 64;

/**
 * Each block's state at its start in the problem's direction (forward: its entry; backward:
 * its exit), undefined where the flow never arrives (unreachable blocks), or undefined as a
 * whole if the states did not settle within the cap.
 */
export function solve<S>(fn: FunctionCfg, problem: DataflowProblem<S>): (S | undefined)[] | undefined {
  const { blocks } = fn;
  const forward = problem.direction === 'forward';
  const next = (block: BasicBlock): number[] => (forward ? [...new Set(successors(block))] : [...fn.predecessors[block.id]]);
  const states: (S | undefined)[] = blocks.map(() => undefined);
  const work: number[] = [];
  const starts = forward ? [0] : blocks.filter((b) => b.terminator.kind === 'exit').map((b) => b.id);
  for (const id of starts) {
    states[id] = problem.boundary;
    work.push(id);
  }
  const limit = VISITS_PER_BLOCK * blocks.length + VISITS_PER_BLOCK;
  for (let steps = 0; work.length > 0; steps++) {
    if (steps > limit) return undefined;
    const block = blocks[work.pop()!];
    const out = problem.transfer(block, states[block.id]!);
    for (const id of next(block)) {
      const target = blocks[id];
      const incoming = problem.edge ? (forward ? problem.edge(block, target, out) : problem.edge(target, block, out)) : out;
      const old = states[id];
      const merged = old === undefined ? incoming : widenOrKeep(problem, old, problem.join(old, incoming));
      if (old === undefined || !problem.equal(merged, old)) {
        states[id] = merged;
        work.push(id);
      }
    }
  }
  return states;
}

function widenOrKeep<S>(problem: DataflowProblem<S>, old: S, joined: S): S {
  return problem.widen ? problem.widen(old, joined) : joined;
}
