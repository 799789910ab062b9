import { describe, expect, it } from 'vitest';
import type { BasicBlock, FunctionCfg } from '../src/analysis/cfg.js';
import { solve, type DataflowProblem } from '../src/analysis/dataflow.js';
import type { Insn } from '../src/decode/insn.js';
import { entryFunction } from './support/analysis.js';

/**
 * The one dataflow solver, on problems written here: a backward liveness analysis, a
 * forward one with an edge refinement, widening, and the visit cap.
 */

const bit = (r: number) => 1 << r;

/** Registers an instruction reads and writes, for liveness (enough for the programs below). */
function uses(insn: Insn): { read: number; written: number } {
  const sem = insn.spec.sem;
  const srcRead = 'source' in sem && sem.source === 'reg' ? bit(insn.src) : 0;
  switch (sem.kind) {
    case 'alu': return { read: (sem.op === 'mov' ? 0 : bit(insn.dst)) | srcRead, written: bit(insn.dst) };
    case 'jmp': return { read: bit(insn.dst) | srcRead, written: 0 };
    case 'exit': return { read: bit(0), written: 0 };
    default: return { read: 0, written: 0 };
  }
}

/** Live registers at each block's exit (backward: the state flows against the edges). */
function liveness(fn: FunctionCfg, insns: readonly Insn[]) {
  const problem: DataflowProblem<number> = {
    direction: 'backward',
    boundary: 0,
    transfer: (block: BasicBlock, liveOut: number) => {
      let live = liveOut;
      for (let i = block.end - 1; i >= block.first; i--) {
        const { read, written } = uses(insns[i]);
        live = (live & ~written) | read;
      }
      return live;
    },
    join: (a, b) => a | b,
    equal: (a, b) => a === b,
  };
  return solve(fn, problem);
}

describe('the dataflow solver', () => {
  it('runs a backward problem against the edges, from every exit, through a loop', () => {
    const { insns, fn } = entryFunction(`
      mov %r0, 0          # block 0
      mov %r3, 10
    loop:
      add %r0, %r3        # block 1: reads r0, r3
      sub %r3, 1
      jne %r3, 0, loop
      mov %r4, 1          # block 2: r4 is dead, r0 is read by exit
      exit`);
    const liveOut = liveness(fn, insns)!;
    const names = (mask: number) => [0, 1, 2, 3, 4].filter((r) => mask & bit(r)).map((r) => `r${r}`);
    expect(fn.blocks.map((b) => b.startPc)).toEqual([0, 2, 5]);
    // Out of block 1 (to itself and to block 2): r0 and r3 (the loop reads both again).
    expect(names(liveOut[1]!)).toEqual(['r0', 'r3']);
    expect(names(liveOut[0]!)).toEqual(['r0', 'r3']);
    expect(names(liveOut[2]!)).toEqual([]);
  });

  it('refines states along edges, joins them, and leaves unreachable blocks undefined', () => {
    // Forward: the set of constants r1 may hold, refined by `jeq r1, 7` on its taken edge.
    const { fn } = entryFunction(`
      jeq %r1, 7, seven    # block 0
      mov %r0, 0           # block 1: r1 is not 7 here
      exit
    seven:
      mov %r0, 1           # block 2: r1 = 7
      exit
      ja -1                # block 3: unreachable`);
    const states = solve<string>(fn, {
      direction: 'forward',
      boundary: 'any',
      transfer: (_block, s) => s,
      edge: (from, to, s) => (from.terminator.kind === 'branch' && to.id === from.terminator.taken ? '7' : `${s}, not 7`),
      join: (a, b) => (a === b ? a : 'any'),
      equal: (a, b) => a === b,
    })!;
    expect(states).toEqual(['any', 'any, not 7', '7', undefined]);
  });

  it('widens a state that keeps changing, and gives up past the visit cap', () => {
    const { fn } = entryFunction('mov %r0, 0\nloop: add %r0, 1\nja loop');
    // A counter of trips around the loop never settles on its own.
    const counting: DataflowProblem<number> = {
      direction: 'forward',
      boundary: 0,
      transfer: (block, n) => (block.id === 1 ? n + 1 : n),
      join: (a, b) => Math.max(a, b),
      equal: (a, b) => a === b,
    };
    expect(solve(fn, counting)).toBeUndefined();
    const widened = solve(fn, { ...counting, widen: (old, next) => (next > old ? Infinity : next) });
    expect(widened).toEqual([0, Infinity]);
  });
});
