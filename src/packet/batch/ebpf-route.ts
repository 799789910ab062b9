import type { Insn } from '../../decode/insn.js';
import { interpreter } from '../../interp/interpreter.js';
import type { LoadOptions } from '../../load-options.js';
import type { Program } from '../../runtime/program.js';

/**
 * How PacketFilter loads the programs of its eBPF route (ancillary loads, the
 * interpreter). The JIT is not imported here: the main entry (index.ts) hands it over
 * when it loads, so that a PacketFilter whose classic program compiles straight to Wasm
 * (cbpf/wasm) never loads Binaryen: the `filter` command imports PacketFilter alone,
 * and imports the JIT only for a program that needs it (a start-up of ~0.15 s instead of
 * ~0.5 s of CPU).
 */
let jitLoader: ((insns: readonly Insn[], options: LoadOptions) => Program) | undefined;

export function provideJitLoader(load: (insns: readonly Insn[], options: LoadOptions) => Program): void {
  jitLoader = load;
}

export function loadEbpfRoute(insns: readonly Insn[], options: LoadOptions): Program {
  if ((options.engine ?? 'jit') !== 'jit') {
    const { runtime, budget, programType, verify } = options;
    return interpreter(insns, { runtime, budget, programType, verify });
  }
  if (jitLoader === undefined) {
    throw new RangeError("this program needs the JIT's eBPF route (a classic program with ancillary loads, or an XDP program): import 'ebpf-wasm' (the main entry) first, or use engine 'interp'");
  }
  return jitLoader(insns, options);
}
