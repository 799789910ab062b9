import { successors, type FunctionCfg } from './cfg.js';
import { dominates } from './dominators.js';

/**
 * Natural loops of one function's CFG: every one, for the verifier's widening (which counts
 * a loop's rounds from its entry), and the innermost ones, for loop versioning (counted-loops.ts).
 *
 * A natural loop is found from a back edge latch -> header, an edge whose target (the
 * header) dominates its source (the latch); its body is the header plus every block that reaches a latch without
 * passing the header. Only the header has predecessors outside the body, so a guard
 * placed on the edges into the header sees every entry. A loop is innermost when its
 * body without the edges back to the header is acyclic; we then have a topological
 * order in which one pass evaluates an iteration.
 */

export interface InnermostLoop {
  readonly header: number;
  /** The body in topological order (edges back to the header left out); `blocks[0]` is the header. */
  readonly blocks: readonly number[];
  readonly body: ReadonlySet<number>;
  /** Blocks with an edge back to the header. */
  readonly latches: readonly number[];
}

/** A natural loop: its header, every block of its body (header included), and its latches. */
export interface NaturalLoop {
  readonly header: number;
  readonly body: ReadonlySet<number>;
  /** Blocks with an edge back to the header. */
  readonly latches: readonly number[];
}

/** Every natural loop of the function (one per header, nested ones included), in header order. */
export function naturalLoops(fn: FunctionCfg, idom: Int32Array): NaturalLoop[] {
  const preds = fn.predecessors;
  const latchesOf = new Map<number, number[]>();
  for (const block of fn.blocks) {
    if (idom[block.id] === -1) continue;
    for (const s of new Set(successors(block))) {
      if (dominates(idom, s, block.id)) latchesOf.set(s, [...(latchesOf.get(s) ?? []), block.id]);
    }
  }
  return [...latchesOf].sort(([a], [b]) => a - b).map(([header, latches]) => {
    const body = new Set<number>([header]);
    const work = [...latches];
    while (work.length > 0) {
      const b = work.pop()!;
      if (body.has(b)) continue;
      body.add(b);
      work.push(...preds[b].filter((p) => idom[p] !== -1));
    }
    return { header, body, latches };
  });
}

/** The function's innermost natural loops (bodies disjoint), in header order. */
export function innermostLoops(fn: FunctionCfg, idom: Int32Array): InnermostLoop[] {
  const loops: InnermostLoop[] = [];
  for (const { header, body, latches } of naturalLoops(fn, idom)) {
    const blocks = topologicalOrder(fn, header, body);
    if (blocks) loops.push({ header, blocks, body, latches });
  }
  return loops;
}

/** The body in topological order from the header, or undefined if it has an inner cycle. */
function topologicalOrder(fn: FunctionCfg, header: number, body: ReadonlySet<number>): number[] | undefined {
  const state = new Map<number, 'open' | 'done'>();
  const post: number[] = [];
  const stack: [number, number[]][] = [[header, successors(fn.blocks[header])]];
  state.set(header, 'open');
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = top[1].pop();
    if (next === undefined) {
      state.set(top[0], 'done');
      post.push(top[0]);
      stack.pop();
      continue;
    }
    if (next === header || !body.has(next)) continue;
    const s = state.get(next);
    if (s === 'open') return undefined; // a cycle that avoids the header: an inner loop
    if (s === undefined) {
      state.set(next, 'open');
      stack.push([next, successors(fn.blocks[next])]);
    }
  }
  return post.reverse();
}
