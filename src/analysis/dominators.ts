import { successors, type FunctionCfg } from './cfg.js';

/**
 * Dominators of one function's CFG (Cooper, Harvey and Kennedy, "A Simple, Fast
 * Dominance Algorithm"): block a dominates b when every path from the entry to b passes
 * through a. Natural loops (natural-loops.ts) and the loop guards rely on it.
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
  const preds = fn.predecessors;
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
