import { successors, type FunctionCfg } from './cfg.js';

/**
 * Dominators and innermost natural loops of one function's CFG, for loop versioning
 * (counted-loops.ts).
 *
 * A natural loop is found from a back edge latch -> header where the header dominates
 * the latch; its body is the header plus every block that reaches a latch without
 * passing the header. Only the header has predecessors outside the body, so a guard
 * placed on the edges into the header sees every entry. A loop is innermost when its
 * body without the edges back to the header is acyclic; we then have a topological
 * order in which one pass evaluates an iteration.
 */

/** Immediate dominator of each block (block 0 is its own), -1 where unreachable. */
export function dominators(fn: FunctionCfg): Int32Array {
  const n = fn.blocks.length;
  const order: number[] = []; // reverse postorder
  const seen = new Uint8Array(n);
  const visit = (root: number) => {
    // Iterative DFS: programs can have very many blocks.
    const stack: [number, number][] = [[root, 0]];
    seen[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const succ = successors(fn.blocks[top[0]]);
      if (top[1] < succ.length) {
        const s = succ[top[1]++];
        if (!seen[s]) { seen[s] = 1; stack.push([s, 0]); }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  };
  visit(0);
  order.reverse();
  const rank = new Int32Array(n).fill(-1);
  order.forEach((b, i) => { rank[b] = i; });
  const preds = predecessors(fn);
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (rank[a] > rank[b]) a = idom[a];
      while (rank[b] > rank[a]) b = idom[b];
    }
    return a;
  };
  // Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm".
  for (let changed = true; changed;) {
    changed = false;
    for (const b of order) {
      if (b === 0) continue;
      let next = -1;
      for (const p of preds[b]) {
        if (idom[p] === -1) continue;
        next = next === -1 ? p : intersect(p, next);
      }
      if (next !== idom[b]) { idom[b] = next; changed = true; }
    }
  }
  return idom;
}

/** Whether block `a` dominates block `b` (both reachable). */
export function dominates(idom: Int32Array, a: number, b: number): boolean {
  for (let x = b; ; x = idom[x]) {
    if (x === a) return true;
    if (x === 0 || x === -1) return false;
  }
}

export function predecessors(fn: FunctionCfg): number[][] {
  const preds: number[][] = fn.blocks.map(() => []);
  for (const block of fn.blocks) for (const s of new Set(successors(block))) preds[s].push(block.id);
  return preds;
}

export interface InnermostLoop {
  readonly header: number;
  /** The body in topological order (edges back to the header left out); `blocks[0]` is the header. */
  readonly blocks: readonly number[];
  readonly body: ReadonlySet<number>;
  /** Blocks with an edge back to the header. */
  readonly latches: readonly number[];
}

/** The function's innermost natural loops (bodies disjoint), in header order. */
export function innermostLoops(fn: FunctionCfg, idom: Int32Array): InnermostLoop[] {
  const preds = predecessors(fn);
  const latchesOf = new Map<number, number[]>();
  for (const block of fn.blocks) {
    if (idom[block.id] === -1) continue;
    for (const s of new Set(successors(block))) {
      if (dominates(idom, s, block.id)) latchesOf.set(s, [...(latchesOf.get(s) ?? []), block.id]);
    }
  }
  const loops: InnermostLoop[] = [];
  for (const [header, latches] of [...latchesOf].sort(([a], [b]) => a - b)) {
    const body = new Set<number>([header]);
    const work = [...latches];
    while (work.length > 0) {
      const b = work.pop()!;
      if (body.has(b)) continue;
      body.add(b);
      work.push(...preds[b].filter((p) => idom[p] !== -1));
    }
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
