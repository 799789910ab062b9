import { REG_COUNT } from '../abi/registers.js';
import type { FunctionCfg } from '../analysis/cfg.js';
import { solve } from '../analysis/dataflow.js';
import type { Insn } from '../decode/insn.js';

/**
 * Registers live before each instruction: read on some path before being written (the
 * kernel's REG_LIVE_READ, computed ahead here by a backward dataflow). State pruning
 * compares only live registers: two states that differ in a register nobody reads again
 * lead to the same verdicts.
 */

const bit = (r: number) => 1 << r;
const ARGS = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
const CALLER_SAVED = bit(0) | ARGS;

/** The registers an instruction reads, and those it writes, as bit masks. */
export function usesAndDefs(insn: Insn, helperArity: (id: number) => number): { use: number; def: number } {
  const sem = insn.spec.sem;
  const src = 'source' in sem && sem.source === 'reg' ? bit(insn.src) : 0;
  switch (sem.kind) {
    case 'alu':
      return { use: (sem.op === 'mov' || sem.op === 'movsx' ? 0 : bit(insn.dst)) | src, def: bit(insn.dst) };
    case 'endian': return { use: bit(insn.dst), def: bit(insn.dst) };
    case 'lddw': return { use: 0, def: bit(insn.dst) };
    case 'load': return { use: bit(insn.src), def: bit(insn.dst) };
    case 'store': return { use: bit(insn.dst) | src, def: 0 };
    case 'atomic': {
      const writes = sem.op === 'cmpxchg' ? bit(0) : sem.fetch ? bit(insn.src) : 0;
      return { use: bit(insn.dst) | bit(insn.src) | (sem.op === 'cmpxchg' ? bit(0) : 0), def: writes };
    }
    case 'jmp': return { use: bit(insn.dst) | src, def: 0 };
    case 'exit': return { use: bit(0), def: 0 };
    case 'packet': return { use: bit(6) | (sem.mode === 'ind' ? bit(insn.src) : 0), def: CALLER_SAVED };
    case 'call': {
      if (sem.target === 'helper') {
        const arity = Math.min(5, helperArity(insn.imm));
        return { use: (1 << (arity + 1)) - 2, def: CALLER_SAVED };
      }
      return { use: ARGS | (sem.target === 'reg' ? bit(insn.dst) : 0), def: CALLER_SAVED };
    }
    default: return { use: 0, def: 0 };
  }
}

/** Live registers before each instruction of `fn`, by the instruction's pc. */
export function liveRegisters(fn: FunctionCfg, insns: readonly Insn[], helperArity: (id: number) => number): Map<number, number> {
  const step = (live: number, insn: Insn) => {
    const { use, def } = usesAndDefs(insn, helperArity);
    return (live & ~def) | use;
  };
  const liveOut = solve<number>(fn, {
    direction: 'backward',
    boundary: 0,
    transfer: (block, out) => insns.slice(block.first, block.end).reduceRight(step, out),
    join: (a, b) => a | b,
    equal: (a, b) => a === b,
  });
  const before = new Map<number, number>();
  fn.blocks.forEach((block, id) => {
    // Unsolved (never: the lattice is 11 bits high) or unreachable: everything is live.
    let live = liveOut?.[id] ?? (1 << REG_COUNT) - 1;
    for (let i = block.end - 1; i >= block.first; i--) {
      live = step(live, insns[i]);
      before.set(insns[i].pc, live);
    }
  });
  return before;
}
