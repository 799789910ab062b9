import { buildCfg, type FunctionCfg } from '../../src/analysis/cfg.js';
import { assemble } from '../../src/decode/asm.js';
import type { Insn } from '../../src/decode/insn.js';
import { analyzeStructure } from '../../src/verify/structure.js';

/** Assembler text as the analyses see it: its instructions and the CFG of its entry function. */
export function entryFunction(source: string): { insns: Insn[]; fn: FunctionCfg } {
  const insns = assemble(source);
  return { insns, fn: buildCfg(analyzeStructure(insns)).functions[0] };
}
